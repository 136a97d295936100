#!/usr/bin/env python3
"""Deterministic generator of the common-goroutine-deadlock dockerd SIGUSR1 goroutine dump.

dockerd 20.10.11 (go1.16.9, docker-ce el7 rpm build paths) deadlocked on the libnetwork
controller and network mutexes taken in opposite order (moby/libnetwork#2649, fixed by
moby/moby#42545 and, for 20.10, moby/libnetwork#2679):
  * goroutine 372 (`(*controller).watchLoop` -> `processEndpointDelete`) holds the controller
    lock and waits for the `none` network's lock in `(*network).ID`;
  * goroutine 95812 (container exit -> `Cleanup` -> `releaseNetwork` -> `sandbox.Delete` ->
    `endpoint.sbLeave` -> `(*network).getSvcRecords`) holds that network lock and waits for
    the controller lock.
Go 1.14-1.16 frame shape: `runtime_SemacquireMutex(sema, 0x0, 0x1)` + `lockSlow(lock)` +
inlined `Lock(...)`; lock offsets 0xf8 in `controller` and 0x1b0 in `network`, as in the
dumps of moby/libnetwork#2649 and #2632.

Usage: gen_dump.py OUTFILE
"""
import sys

GO = "/usr/local/go/src"
DD = "/root/rpmbuild/BUILD/src/engine/.gopath/src/github.com/docker/docker"
LN = "github.com/docker/docker/vendor/github.com/docker/libnetwork"
LNP = DD + "/vendor/github.com/docker/libnetwork"

DAEMON = "0xc00000c3c0"
CTRL = 0xc000478a00          # *libnetwork.controller; its sync.Mutex at +0xf8
NET = 0xc000a7e200           # *libnetwork.network ("none"); its sync.Mutex at +0x1b0
CTRL_LOCK = CTRL + 0xF8
NET_LOCK = NET + 0x1B0
WATCHER = 372
EXITER = 95812
DEADLOCK_MIN = 28


class Rng:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        # xorshift64*
        x = self.s
        x ^= (x >> 12)
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= (x >> 27)
        self.s = x
        return (x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return self.next() % n

    def addr(self):
        # heap words well away from the lock addresses (0xc0004…/0xc000a7…)
        return "0xc00%x" % (0x1000000 + self.below(0x3000000) * 8 + 0x1000000)


def h(x):
    return "0x%x" % x


def http_tail(r, router, handler, route_file, route_line, off):
    ctx, w, req, vars_ = r.addr(), r.addr(), r.addr(), r.addr()
    return (
        f"github.com/docker/docker/api/server/router/{router}.(*{router}Router).{handler}(0xc000e9b6c0, 0x5638e2b7b3a8, {ctx}, 0x5638e2b79d30, {w}, {req}, {vars_}, 0x0, 0x0)\n"
        f"\t{DD}/api/server/router/{router}/{route_file}:{route_line} {off}\n"
        f"github.com/docker/docker/api/server/middleware.ExperimentalMiddleware.WrapHandler.func1(0x5638e2b7b3a8, {ctx}, 0x5638e2b79d30, {w}, {req}, {vars_}, 0x5638e2b7b3a8, {ctx})\n"
        f"\t{DD}/api/server/middleware/experimental.go:26 +0x1a5\n"
        f"github.com/docker/docker/api/server/middleware.VersionMiddleware.WrapHandler.func1(0x5638e2b7b3a8, {ctx}, 0x5638e2b79d30, {w}, {req}, {vars_}, 0x0, 0x0)\n"
        f"\t{DD}/api/server/middleware/version.go:62 +0x5f8\n"
        f"github.com/docker/docker/pkg/authorization.(*Middleware).WrapHandler.func1(0x5638e2b7b3a8, {ctx}, 0x5638e2b79d30, {w}, {req}, {vars_}, 0x0, 0x0)\n"
        f"\t{DD}/pkg/authorization/middleware.go:59 +0x7ab\n"
        f"github.com/docker/docker/api/server.(*Server).makeHTTPHandler.func1(0x5638e2b79d30, {w}, {req})\n"
        f"\t{DD}/api/server/server.go:141 +0x19a\n"
        f"net/http.HandlerFunc.ServeHTTP(0xc000d7e2a0, 0x5638e2b79d30, {w}, {req})\n"
        f"\t{GO}/net/http/server.go:2069 +0x46\n"
        f"github.com/docker/docker/vendor/github.com/gorilla/mux.(*Router).ServeHTTP(0xc000f6a000, 0x5638e2b79d30, {w}, {req})\n"
        f"\t{DD}/vendor/github.com/gorilla/mux/mux.go:210 +0xd3\n"
        f"net/http.serverHandler.ServeHTTP(0xc000e10000, 0x5638e2b79d30, {w}, {req})\n"
        f"\t{GO}/net/http/server.go:2887 +0xa3\n"
        f"net/http.(*conn).serve({r.addr()}, 0x5638e2b7b3a8, {r.addr()})\n"
        f"\t{GO}/net/http/server.go:1952 +0x8cd\n"
        f"created by net/http.(*Server).Serve\n"
        f"\t{GO}/net/http/server.go:3013 +0x39b\n\n"
    )


def mutex_wait(lock, extra):
    return (
        f"sync.runtime_SemacquireMutex({h(lock + 4)}, {extra}, 0x1)\n"
        f"\t{GO}/runtime/sema.go:71 +0x47\n"
        f"sync.(*Mutex).lockSlow({h(lock)})\n"
        f"\t{GO}/sync/mutex.go:138 +0x105\n"
        f"sync.(*Mutex).Lock(...)\n"
        f"\t{GO}/sync/mutex.go:81\n"
    )


def header():
    return (
        "goroutine 261 [running]:\n"
        f"github.com/docker/docker/pkg/signal.DumpStacks(0x5638e16e1ef6, 0xf, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{DD}/pkg/signal/trap.go:83 +0xc5\n"
        f"github.com/docker/docker/daemon.(*Daemon).setupDumpStackTrap.func1(0xc000f26000, 0x5638e16e1ef6, 0xf, {DAEMON})\n"
        f"\t{DD}/daemon/debugtrap_unix.go:19 +0x8a\n"
        f"created by github.com/docker/docker/daemon.(*Daemon).setupDumpStackTrap\n"
        f"\t{DD}/daemon/debugtrap_unix.go:16 +0x5c\n\n"
        "goroutine 1 [chan receive, 3962 minutes]:\n"
        f"main.(*DaemonCli).start(0xc000b0c480, 0xc0000a4a80, 0x0, 0x0)\n"
        f"\t{DD}/cmd/dockerd/daemon.go:278 +0x1c65\n"
        f"main.runDaemon(...)\n"
        f"\t{DD}/cmd/dockerd/docker_unix.go:13\n"
        f"main.newDaemonCommand.func1(0xc00013e2c0, 0xc000119540, 0x0, 0x5, 0x0, 0x0)\n"
        f"\t{DD}/cmd/dockerd/docker.go:34 +0x9d\n"
        f"github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).execute(0xc00013e2c0, 0xc00004e1a0, 0x5, 0x5, 0xc00013e2c0, 0xc00004e1a0)\n"
        f"\t{DD}/vendor/github.com/spf13/cobra/command.go:850 +0x472\n"
        f"github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).ExecuteC(0xc00013e2c0, 0x0, 0x0, 0x10)\n"
        f"\t{DD}/vendor/github.com/spf13/cobra/command.go:958 +0x375\n"
        f"github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).Execute(...)\n"
        f"\t{DD}/vendor/github.com/spf13/cobra/command.go:895\n"
        f"main.main()\n"
        f"\t{DD}/cmd/dockerd/docker.go:97 +0x185\n\n"
        "goroutine 6 [syscall, 3962 minutes]:\n"
        f"os/signal.signal_recv(0x0)\n\t{GO}/runtime/sigqueue.go:168 +0xa5\n"
        f"os/signal.loop()\n\t{GO}/os/signal/signal_unix.go:23 +0x25\n"
        f"created by os/signal.Notify.func1.1\n\t{GO}/os/signal/signal.go:151 +0x45\n\n"
    )


def watcher():
    # Holds the controller lock (processEndpointDelete: c.Lock(); nmap[n.ID()]), waits for the network's.
    return (
        f"goroutine {WATCHER} [semacquire, {DEADLOCK_MIN} minutes]:\n"
        + mutex_wait(NET_LOCK, "0x0")
        + f"{LN}.(*network).ID({h(NET)}, 0x0, 0x0)\n"
        f"\t{LNP}/network.go:254 +0xbd\n"
        f"{LN}.(*controller).processEndpointDelete({h(CTRL)}, 0xc000b2c660, 0xc0031a4b00)\n"
        f"\t{LNP}/store.go:403 +0x9c\n"
        f"{LN}.(*controller).watchLoop({h(CTRL)})\n"
        f"\t{LNP}/store.go:434 +0xb8\n"
        f"created by {LN}.(*controller).startWatch\n"
        f"\t{LNP}/store.go:445 +0xcb\n\n"
    )


def exiter():
    # Holds the network lock (getSvcRecords: n.Lock() ... n.ctrlr.Lock()), waits for the controller's.
    sb, ep, ctr = "0xc002d6e000", "0xc0031a4b00", "0xc001e8c000"
    return (
        f"goroutine {EXITER} [semacquire, {DEADLOCK_MIN} minutes]:\n"
        + mutex_wait(CTRL_LOCK, "0x0")
        + f"{LN}.(*network).getSvcRecords({h(NET)}, {ep}, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/network.go:1461 +0x1d2\n"
        f"{LN}.(*endpoint).sbLeave({ep}, {sb}, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/endpoint.go:807 +0x7b5\n"
        f"{LN}.(*endpoint).Leave({ep}, 0x5638e2b79f28, {sb}, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/endpoint.go:728 +0x1b6\n"
        f"{LN}.(*sandbox).delete({sb}, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/sandbox.go:235 +0x2cc\n"
        f"{LN}.(*sandbox).Delete(...)\n"
        f"\t{LNP}/sandbox.go:198\n"
        f"github.com/docker/docker/daemon.(*Daemon).releaseNetwork({DAEMON}, {ctr})\n"
        f"\t{DD}/daemon/container_operations.go:1047 +0x3ae\n"
        f"github.com/docker/docker/daemon.(*Daemon).Cleanup({DAEMON}, {ctr})\n"
        f"\t{DD}/daemon/start.go:262 +0x54\n"
        f"github.com/docker/docker/daemon.(*Daemon).handleContainerExit({DAEMON}, {ctr}, 0xc0033f6a80, 0x0, 0x0)\n"
        f"\t{DD}/daemon/monitor.go:94 +0x4f4\n"
        f"github.com/docker/docker/daemon.(*Daemon).ProcessEvent({DAEMON}, 0xc0032e4f40, 0x40, 0x5638e16d4b95, 0x4, 0xc0032e4f40, 0x40, 0xc0032e4f80, 0x40, 0x6a1d, ...)\n"
        f"\t{DD}/daemon/monitor.go:156 +0x5b6\n"
        f"github.com/docker/docker/libcontainerd/remote.(*client).processEvent.func1()\n"
        f"\t{DD}/libcontainerd/remote/client.go:634 +0x109\n"
        f"github.com/docker/docker/libcontainerd/queue.(*Queue).Append.func1(0xc0032e4f01, 0xc001a0bda0, 0xc0028d0c00, 0xc0033b7bc0, 0xc000d16868, 0xc0032e4f40, 0x40)\n"
        f"\t{DD}/libcontainerd/queue/queue.go:28 +0x3c\n"
        f"created by github.com/docker/docker/libcontainerd/queue.(*Queue).Append\n"
        f"\t{DD}/libcontainerd/queue/queue.go:24 +0x1f7\n\n"
    )


def start_waiter(r, gid, minutes):
    # docker start / kubelet sandbox restart: containerStart holds the container lock,
    # allocateNetwork -> SandboxDestroy waits for the controller lock (moby/libnetwork#2649).
    ctr, sid = r.addr(), r.addr()
    return (
        f"goroutine {gid} [semacquire, {minutes} minutes]:\n"
        + mutex_wait(CTRL_LOCK, r.addr())
        + f"{LN}.(*controller).SandboxDestroy({h(CTRL)}, {sid}, 0x40, 0x0, 0x0)\n"
        f"\t{LNP}/controller.go:1241 +0x1bc\n"
        f"github.com/docker/docker/daemon.(*Daemon).allocateNetwork({DAEMON}, {ctr}, 0x0, 0x0)\n"
        f"\t{DD}/daemon/container_operations.go:540 +0xcf\n"
        f"github.com/docker/docker/daemon.(*Daemon).initializeNetworking({DAEMON}, {ctr}, 0x0, 0x0)\n"
        f"\t{DD}/daemon/container_operations.go:987 +0x90\n"
        f"github.com/docker/docker/daemon.(*Daemon).containerStart({DAEMON}, {ctr}, 0x0, 0x0, 0x0, 0x0, 0x1, 0x0, 0x0)\n"
        f"\t{DD}/daemon/start.go:149 +0x325\n"
        f"github.com/docker/docker/daemon.(*Daemon).ContainerStart({DAEMON}, {r.addr()}, 0x40, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{DD}/daemon/start.go:94 +0x1ec\n"
        + http_tail(r, "container", "postContainersStart", "container_routes.go", 208, "+0x186")
    )


def network_list_waiter(r, gid, minutes):
    # docker network ls: GetNetworks -> controller.Networks takes the controller lock.
    return (
        f"goroutine {gid} [semacquire, {minutes} minutes]:\n"
        + mutex_wait(CTRL_LOCK, r.addr())
        + f"{LN}.(*controller).Networks({h(CTRL)}, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/controller.go:1019 +0x6a\n"
        f"github.com/docker/docker/daemon.(*Daemon).getAllNetworks(...)\n"
        f"\t{DD}/daemon/network.go:138\n"
        f"github.com/docker/docker/daemon.(*Daemon).GetNetworks({DAEMON}, {r.addr()}, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{DD}/daemon/network.go:853 +0x85\n"
        + http_tail(r, "network", "getNetworksList", "network_routes.go", 51, "+0x1d5")
    )


def unwatch_sender(r, gid, minutes):
    # Other sandboxes leaving a network block on `c.unWatchCh <- ep`: watchLoop no longer reads.
    ep, sb, ctr = r.addr(), r.addr(), r.addr()
    return (
        f"goroutine {gid} [chan send, {minutes} minutes]:\n"
        f"{LN}.(*controller).unWatchSvcRecord(...)\n"
        f"\t{LNP}/store.go:419\n"
        f"{LN}.(*endpoint).sbLeave({ep}, {sb}, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/endpoint.go:780 +0x5a8\n"
        f"{LN}.(*endpoint).Leave({ep}, 0x5638e2b79f28, {sb}, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/endpoint.go:728 +0x1b6\n"
        f"{LN}.(*sandbox).delete({sb}, 0x0, 0x0, 0x0)\n"
        f"\t{LNP}/sandbox.go:235 +0x2cc\n"
        f"{LN}.(*sandbox).Delete(...)\n"
        f"\t{LNP}/sandbox.go:198\n"
        f"github.com/docker/docker/daemon.(*Daemon).releaseNetwork({DAEMON}, {ctr})\n"
        f"\t{DD}/daemon/container_operations.go:1047 +0x3ae\n"
        f"github.com/docker/docker/daemon.(*Daemon).Cleanup({DAEMON}, {ctr})\n"
        f"\t{DD}/daemon/start.go:262 +0x54\n"
        f"github.com/docker/docker/daemon.(*Daemon).handleContainerExit({DAEMON}, {ctr}, {r.addr()}, 0x0, 0x0)\n"
        f"\t{DD}/daemon/monitor.go:94 +0x4f4\n"
        f"github.com/docker/docker/daemon.(*Daemon).ProcessEvent({DAEMON}, {r.addr()}, 0x40, 0x5638e16d4b95, 0x4, {r.addr()}, 0x40, {r.addr()}, 0x40, 0x{r.below(0x7fff) + 0x1000:x}, ...)\n"
        f"\t{DD}/daemon/monitor.go:156 +0x5b6\n"
        f"github.com/docker/docker/libcontainerd/remote.(*client).processEvent.func1()\n"
        f"\t{DD}/libcontainerd/remote/client.go:634 +0x109\n"
        f"github.com/docker/docker/libcontainerd/queue.(*Queue).Append.func1({r.addr()}, {r.addr()}, {r.addr()}, {r.addr()}, {r.addr()}, {r.addr()}, 0x40)\n"
        f"\t{DD}/libcontainerd/queue/queue.go:28 +0x3c\n"
        f"created by github.com/docker/docker/libcontainerd/queue.(*Queue).Append\n"
        f"\t{DD}/libcontainerd/queue/queue.go:24 +0x1f7\n\n"
    )


def inspect_waiter(r, gid, minutes, state):
    # docker inspect (kubelet PodSandboxStatus / ContainerStatus) on a container whose lock is
    # held by a goroutine stuck behind the cycle: ContainerInspectCurrent takes ctr.Lock().
    name = r.addr()
    return (
        f"goroutine {gid} [semacquire, {minutes} minutes]:\n"
        + mutex_wait(state, r.addr())
        + f"github.com/docker/docker/daemon.(*Daemon).ContainerInspectCurrent({DAEMON}, {name}, 0x40, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{DD}/daemon/inspect.go:40 +0x8f\n"
        f"github.com/docker/docker/daemon.(*Daemon).ContainerInspect({DAEMON}, {name}, 0x40, 0x0, {r.addr()}, 0x4, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{DD}/daemon/inspect.go:29 +0x11c\n"
        + http_tail(r, "container", "getContainersByName", "inspect.go", 15, "+0x11d")
    )


def background_read(r, gid):
    fd, c = r.addr(), r.addr()
    return (
        f"goroutine {gid} [IO wait]:\n"
        f"internal/poll.runtime_pollWait(0x7f1b6c4d{r.below(0xffff):04x}, 0x72, 0xffffffffffffffff)\n\t{GO}/runtime/netpoll.go:222 +0x55\n"
        f"internal/poll.(*pollDesc).wait({fd}, 0x72, 0x1, 0x1, 0xc000f7c000)\n\t{GO}/internal/poll/fd_poll_runtime.go:87 +0x45\n"
        f"internal/poll.(*pollDesc).waitRead(...)\n\t{GO}/internal/poll/fd_poll_runtime.go:92\n"
        f"internal/poll.(*FD).Read({fd}, {c}, 0x1, 0x1, 0x0, 0x0, 0x0)\n\t{GO}/internal/poll/fd_unix.go:166 +0x1d5\n"
        f"net.(*netFD).Read({fd}, {c}, 0x1, 0x1, 0xc000d8e0b8, 0x0, 0x0)\n\t{GO}/net/fd_posix.go:55 +0x4f\n"
        f"net.(*conn).Read({c}, {c}, 0x1, 0x1, 0x0, 0x0, 0x0)\n\t{GO}/net/net.go:183 +0x91\n"
        f"net/http.(*connReader).backgroundRead({c})\n\t{GO}/net/http/server.go:692 +0x58\n"
        f"created by net/http.(*connReader).startBackgroundRead\n\t{GO}/net/http/server.go:688 +0xd5\n\n"
    )


def grpc_loopy(r, gid, minutes):
    a, b = r.addr(), r.addr()
    return (
        f"goroutine {gid} [select, {minutes} minutes]:\n"
        f"github.com/docker/docker/vendor/google.golang.org/grpc/internal/transport.(*controlBuffer).get({a}, 0x1, 0x0, 0x0, 0x0, 0x0)\n"
        f"\t{DD}/vendor/google.golang.org/grpc/internal/transport/controlbuf.go:407 +0x123\n"
        f"github.com/docker/docker/vendor/google.golang.org/grpc/internal/transport.(*loopyWriter).run({b}, 0x0, 0x0)\n"
        f"\t{DD}/vendor/google.golang.org/grpc/internal/transport/controlbuf.go:527 +0x1e8\n"
        f"github.com/docker/docker/vendor/google.golang.org/grpc/internal/transport.newHTTP2Client.func3({a})\n"
        f"\t{DD}/vendor/google.golang.org/grpc/internal/transport/http2_client.go:356 +0x7b\n"
        f"created by github.com/docker/docker/vendor/google.golang.org/grpc/internal/transport.newHTTP2Client\n"
        f"\t{DD}/vendor/google.golang.org/grpc/internal/transport/http2_client.go:354 +0x1325\n\n"
    )


def event_stream(r, gid, minutes):
    a, b = r.addr(), r.addr()
    return (
        f"goroutine {gid} [select, {minutes} minutes]:\n"
        f"github.com/docker/docker/vendor/github.com/containerd/containerd.(*eventRemote).Subscribe.func1({a}, {b}, 0x5638e2b7b440, 0xc000a6c2a0, 0x5638e2b9f1a0, {a}, 0xc000c9e480)\n"
        f"\t{DD}/vendor/github.com/containerd/containerd/events.go:98 +0x1ad\n"
        f"created by github.com/docker/docker/vendor/github.com/containerd/containerd.(*eventRemote).Subscribe\n"
        f"\t{DD}/vendor/github.com/containerd/containerd/events.go:93 +0x24f\n\n"
    )


def log_copier(r, gid, minutes):
    a, b = r.addr(), r.addr()
    return (
        f"goroutine {gid} [chan receive, {minutes} minutes]:\n"
        f"github.com/docker/docker/daemon/logger.(*Copier).Wait(...)\n"
        f"\t{DD}/daemon/logger/copier.go:185\n"
        f"github.com/docker/docker/container/stream.(*Config).CopyToPipe.func1.1({a}, {b})\n"
        f"\t{DD}/container/stream/streams.go:130 +0x7e\n"
        f"created by github.com/docker/docker/container/stream.(*Config).CopyToPipe.func1\n"
        f"\t{DD}/container/stream/streams.go:128 +0x11e\n\n"
    )


def process_event_stream(gid):
    return (
        f"goroutine {gid} [select, 3961 minutes]:\n"
        f"github.com/docker/docker/libcontainerd/remote.(*client).processEventStream(0xc000b3e000, 0x5638e2b7b3a8, 0xc000d24d80, 0x5638e16d29b2, 0x4)\n"
        f"\t{DD}/libcontainerd/remote/client.go:775 +0x3de\n"
        f"created by github.com/docker/docker/libcontainerd/remote.NewClient\n"
        f"\t{DD}/libcontainerd/remote/client.go:87 +0x24c\n\n"
    )


def main():
    r = Rng(0x5EED_D1E4)
    out = [header(), process_event_stream(87)]
    # Container State locks whose holders are stuck behind the cycle: the exiting pod sandbox
    # (held by EXITER through handleContainerExit) and the starting ones (held by containerStart).
    exiting_state = 0xC00297E0C0  # the exiting sandbox container's *State (its own allocation)
    starting_states = [0xC0027F1500, 0xC0030A2900, 0xC0019B6D00]
    plan = (
        [("start", None)] * 5
        + [("netls", None)] * 3
        + [("unwatch", None)] * 4
        + [("inspect", exiting_state)] * 27
        + [("inspect", s) for s in starting_states for _ in range(6)]
        + [("read", None)] * 130
        + [("loopy", None)] * 36
        + [("events", None)] * 34
        + [("copier", None)] * 72
    )
    # Deterministic shuffle.
    for i in range(len(plan) - 1, 0, -1):
        j = r.below(i + 1)
        plan[i], plan[j] = plan[j], plan[i]
    gid = 300
    placed_watcher = False
    placed_exiter = False
    for kind, state in plan:
        gid += 1 + r.below(400)
        if not placed_watcher and gid > WATCHER:
            out.append(watcher())
            placed_watcher = True
        if not placed_exiter and gid > EXITER:
            out.append(exiter())
            placed_exiter = True
        m = 1 + r.below(DEADLOCK_MIN)
        if kind == "start":
            out.append(start_waiter(r, gid, m))
        elif kind == "netls":
            out.append(network_list_waiter(r, gid, m))
        elif kind == "unwatch":
            out.append(unwatch_sender(r, gid, m))
        elif kind == "inspect":
            out.append(inspect_waiter(r, gid, m, state))
        elif kind == "read":
            out.append(background_read(r, gid))
        elif kind == "loopy":
            out.append(grpc_loopy(r, gid, 1 + r.below(3960)))
        elif kind == "events":
            out.append(event_stream(r, gid, 1 + r.below(3960)))
        else:
            out.append(log_copier(r, gid, 1 + r.below(3960)))
    if not placed_watcher:
        out.append(watcher())
    if not placed_exiter:
        out.append(exiter())
    text = "".join(out)
    with open(sys.argv[1], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
