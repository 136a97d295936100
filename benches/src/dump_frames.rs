//! Goroutine frame templates of a dockerd 18.09 SIGUSR1 dump (Go 1.10/1.11 `runtime.Stack`
//! output as written by `pkg/signal.DumpStacks`, the recursive go1.11 `os.RemoveAll`, the vendored
//! grpc and libcontainerd paths), shared by the seed-003 corpus dump and the bulk `gen dump`.

use std::fmt::Write;

/// The id of the goroutine holding the `volume/local.(*Root)` mutex.
pub const HOLDER: u64 = 2211;
/// The lock every waiter of the convoy waits on: `volume/local.(*Root).m`.
pub const ROOT: &str = "0xc000aee820";
/// GOROOT of the build.
pub const GO: &str = "/usr/local/go/src";
/// GOPATH location of the moby sources.
pub const DD: &str = "/go/src/github.com/docker/docker";

/// A small deterministic generator (numerical recipes LCG).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// A heap address far from the Root lock.
    pub fn addr(&mut self) -> String {
        format!("0xc{:09x}", 0x001000000 + (self.below(0x3000000) & !0xf))
    }
}

pub fn http_tail(out: &mut String, r: &mut Rng, handler: &str) {
    let (a, b, c) = (r.addr(), r.addr(), r.addr());
    let _ = write!(
        out,
        "github.com/docker/docker/api/server/middleware.ExperimentalMiddleware.WrapHandler.func1(0x55e2c4004c20, {a}, 0x55e2c4002a20, {b}, {c}, 0x55e2c27d6a00, {a})\n\
\t{DD}/api/server/middleware/experimental.go:26 +0x177\n\
github.com/docker/docker/api/server/middleware.VersionMiddleware.WrapHandler.func1(0x55e2c4004c20, {a}, 0x55e2c4002a20, {b}, {c}, 0x55e2c27d6a00, {a})\n\
\t{DD}/api/server/middleware/version.go:62 +0x401\n\
github.com/docker/docker/api/server.(*Server).makeHTTPHandler.func1(0x55e2c4002a20, {b}, {c})\n\
\t{DD}/api/server/server.go:141 +0x19a\n\
net/http.HandlerFunc.ServeHTTP(0xc000a1a3a0, 0x55e2c4002a20, {b}, {c})\n\
\t{GO}/net/http/server.go:1964 +0x46\n\
github.com/docker/docker/vendor/github.com/gorilla/mux.(*Router).ServeHTTP(0xc000b06a50, 0x55e2c4002a20, {b}, {c})\n\
\t{DD}/vendor/github.com/gorilla/mux/mux.go:103 +0x19a\n\
github.com/docker/docker/api/server.(*routerSwapper).ServeHTTP(0xc000b47fb0, 0x55e2c4002a20, {b}, {c})\n\
\t{DD}/api/server/router_swapper.go:29 +0x6f\n\
net/http.serverHandler.ServeHTTP(0xc0000d63a0, 0x55e2c4002a20, {b}, {c})\n\
\t{GO}/net/http/server.go:2741 +0xad\n\
net/http.(*conn).serve(0xc000b98aa0, 0x55e2c4004b60, {a})\n\
\t{GO}/net/http/server.go:1847 +0x647\n\
created by net/http.(*Server).Serve\n\
\t{GO}/net/http/server.go:2851 +0x2f5\n\n"
    );
    let _ = handler;
}

pub fn create_waiter(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
    let (name, ctx, s) = (r.addr(), r.addr(), r.addr());
    let _ = write!(
        out,
        "goroutine {id} [semacquire, {minutes} minutes]:\n\
sync.runtime_SemacquireMutex(0xc000aee824, 0x0)\n\t{GO}/runtime/sema.go:71 +0x3f\n\
sync.(*Mutex).Lock({ROOT})\n\t{GO}/sync/mutex.go:134 +0x101\n\
github.com/docker/docker/volume/local.(*Root).Get({ROOT}, {name}, 0x40, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/volume/local/local.go:237 +0x47\n\
github.com/docker/docker/volume/service.lookupVolume(0x55e2c4004c20, {ctx}, 0xc000449ae0, 0x55e2c3ddb1a5, 0x5, {name}, 0x40, 0x0, 0x0, 0x0, ...)\n\
\t{DD}/volume/service/store.go:859 +0x1bd\n\
github.com/docker/docker/volume/service.(*VolumeStore).getVolume(0xc000449a40, 0x55e2c4004c20, {ctx}, {name}, 0x40, 0x55e2c3ddb1a5, 0x5, 0x0, 0x0, 0x0, ...)\n\
\t{DD}/volume/service/store.go:829 +0x3a5\n\
github.com/docker/docker/volume/service.(*VolumeStore).create(0xc000449a40, 0x55e2c4004c20, {ctx}, {name}, 0x40, 0x55e2c3ddb1a5, 0x5, 0x0, 0x0, 0x0, ...)\n\
\t{DD}/volume/service/store.go:560 +0x1034\n\
github.com/docker/docker/volume/service.(*VolumeStore).Create(0xc000449a40, 0x55e2c4004c20, {ctx}, {name}, 0x40, 0x55e2c3ddb1a5, 0x5, {s}, 0x2, 0x2, ...)\n\
\t{DD}/volume/service/store.go:502 +0x24d\n\
github.com/docker/docker/volume/service.(*VolumesService).Create(0xc000c6c1e0, 0x55e2c4004c20, {ctx}, {name}, 0x40, 0x55e2c3ddb1a5, 0x5, {s}, 0x2, 0x2, ...)\n\
\t{DD}/volume/service/service.go:74 +0x11a\n\
github.com/docker/docker/daemon.(*Daemon).createContainerOSSpecificSettings(0xc00041c000, {s}, {ctx}, {name}, 0x0, 0x0)\n\
\t{DD}/daemon/create_unix.go:62 +0x2e5\n\
github.com/docker/docker/daemon.(*Daemon).create(0xc00041c000, {name}, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/daemon/create.go:178 +0x6f4\n\
github.com/docker/docker/daemon.(*Daemon).containerCreate(0xc00041c000, {name}, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/daemon/create.go:98 +0x294\n\
github.com/docker/docker/daemon.(*Daemon).ContainerCreate(0xc00041c000, {name}, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/daemon/create.go:46 +0x6e\n\
github.com/docker/docker/api/server/router/container.(*containerRouter).postContainersCreate(0xc000b84a80, 0x55e2c4004c20, {ctx}, 0x55e2c4002a20, {s}, {name}, {ctx}, 0x0, 0x0)\n\
\t{DD}/api/server/router/container/container_routes.go:470 +0x4a0\n"
    );
    http_tail(out, r, "create");
}

pub fn cleanup_waiter(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
    let (name, ctr, mp) = (r.addr(), r.addr(), r.addr());
    let _ = write!(
        out,
        "goroutine {id} [semacquire, {minutes} minutes]:\n\
sync.runtime_SemacquireMutex(0xc000aee824, 0x0)\n\t{GO}/runtime/sema.go:71 +0x3f\n\
sync.(*Mutex).Lock({ROOT})\n\t{GO}/sync/mutex.go:134 +0x101\n\
github.com/docker/docker/volume/local.(*Root).Get({ROOT}, {name}, 0x40, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/volume/local/local.go:237 +0x47\n\
github.com/docker/docker/volume/service.lookupVolume(0x55e2c4004be0, 0xc0000c8010, 0xc000449ae0, 0x55e2c3ddb1a5, 0x5, {name}, 0x40, 0x0, 0x0, 0x0, ...)\n\
\t{DD}/volume/service/store.go:859 +0x1bd\n\
github.com/docker/docker/volume/service.(*VolumeStore).getVolume(0xc000449a40, 0x55e2c4004be0, 0xc0000c8010, {name}, 0x40, 0x55e2c3ddb1a5, 0x5, 0x0, 0x0, 0x0, ...)\n\
\t{DD}/volume/service/store.go:829 +0x3a5\n\
github.com/docker/docker/volume/service.(*VolumeStore).Get(0xc000449a40, 0x55e2c4004be0, 0xc0000c8010, {name}, 0x40, 0x0, 0x0, 0x0, 0x0, 0x0, ...)\n\
\t{DD}/volume/service/store.go:742 +0x1b9\n\
github.com/docker/docker/volume/service.(*VolumesService).Release(0xc000c6c1e0, 0x55e2c4004be0, 0xc0000c8010, {name}, 0x40, {ctr}, 0x40, 0x0, 0x0)\n\
\t{DD}/volume/service/service.go:118 +0x9e\n\
github.com/docker/docker/container.(*Container).UnmountVolumes({ctr}, {mp}, 0x0, 0x0)\n\
\t{DD}/container/container.go:434 +0x2a6\n\
github.com/docker/docker/daemon.(*Daemon).Cleanup(0xc00041c000, {ctr})\n\
\t{DD}/daemon/start.go:248 +0x3d2\n\
github.com/docker/docker/daemon.(*Daemon).ProcessEvent(0xc00041c000, {name}, 0x40, 0x55e2c3dd9e1d, 0x4, {mp}, 0x40, 0x55e2c3dd8d3a, 0x3, 0x9, ...)\n\
\t{DD}/daemon/monitor.go:63 +0x6e5\n\
github.com/docker/docker/libcontainerd.(*client).processEvent.func1()\n\
\t{DD}/libcontainerd/client_daemon.go:708 +0x1ad\n\
github.com/docker/docker/libcontainerd.(*queue).append.func1({mp}, 0x0, {ctr}, 0xc000b62480, {name}, 0x40)\n\
\t{DD}/libcontainerd/queue.go:26 +0x3a\n\
created by github.com/docker/docker/libcontainerd.(*queue).append\n\
\t{DD}/libcontainerd/queue.go:22 +0x196\n\n"
    );
}

pub fn holder(out: &mut String) {
    let _ = write!(
        out,
        "goroutine {HOLDER} [syscall, 83 minutes]:\n\
syscall.Syscall(0x107, 0xffffffffffffff9c, 0xc00294c0f0, 0x0, 0x0, 0x0, 0x0)\n\
\t{GO}/syscall/asm_linux_amd64.s:18 +0x5\n\
syscall.unlinkat(0xffffffffffffff9c, 0xc00294c0a0, 0x4f, 0x0, 0xc000d3e1b0, 0x0)\n\
\t{GO}/syscall/zsyscall_linux_amd64.go:126 +0x8d\n\
syscall.Unlink(...)\n\
\t{GO}/syscall/syscall_linux.go:148\n\
os.Remove(0xc00294c0a0, 0x4f, 0x0, 0x0)\n\
\t{GO}/os/file_unix.go:293 +0x48\n\
os.RemoveAll(0xc00294c0a0, 0x4f, 0x0, 0x0)\n\
\t{GO}/os/path.go:68 +0x3b\n\
os.RemoveAll(0xc001e6a3c0, 0x46, 0x0, 0x0)\n\
\t{GO}/os/path.go:102 +0x37b\n\
os.RemoveAll(0xc0012f8a50, 0x3d, 0x0, 0x0)\n\
\t{GO}/os/path.go:102 +0x37b\n\
github.com/docker/docker/volume/local.(*Root).Remove({ROOT}, 0x55e2c401e3a0, 0xc0015a2b40, 0x0, 0x0)\n\
\t{DD}/volume/local/local.go:206 +0x2bb\n\
github.com/docker/docker/volume/service.(*VolumeStore).Remove(0xc000449a40, 0x55e2c4004c20, 0xc000b0ccc0, 0x55e2c401e3a0, 0xc0015a2b40, 0x0, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/volume/service/store.go:734 +0x1b0\n\
github.com/docker/docker/volume/service.(*VolumesService).Remove(0xc000c6c1e0, 0x55e2c4004c20, 0xc000b0ccc0, 0xc00153d9c0, 0x40, 0xc000b0ccf0, 0x1, 0x1, 0x0, 0x0)\n\
\t{DD}/volume/service/service.go:133 +0x29a\n\
github.com/docker/docker/api/server/router/volume.(*volumeRouter).deleteVolumes(0xc000b85a40, 0x55e2c4004c20, 0xc000b0ccc0, 0x55e2c4002a20, 0xc0013e2a80, 0xc001ab5e00, 0xc000b0cb70, 0x55e2c27d6a00, 0xc000b0ccc0)\n\
\t{DD}/api/server/router/volume/volume_routes.go:70 +0xd8\n"
    );
    let mut r = Rng(HOLDER);
    http_tail(out, &mut r, "volume-rm");
}

pub fn background_read(out: &mut String, r: &mut Rng, id: u64) {
    let (fd, c) = (r.addr(), r.addr());
    let _ = write!(
        out,
        "goroutine {id} [IO wait]:\n\
internal/poll.runtime_pollWait(0x7f3a5c8d{:04x}, 0x72, 0xc000d71ae8)\n\t{GO}/runtime/netpoll.go:173 +0x66\n\
internal/poll.(*pollDesc).wait({fd}, 0x72, 0xffffffffffffff00, 0x55e2c3fe1b40, 0x55e2c56bb118)\n\t{GO}/internal/poll/fd_poll_runtime.go:85 +0x9c\n\
internal/poll.(*pollDesc).waitRead(...)\n\t{GO}/internal/poll/fd_poll_runtime.go:90\n\
internal/poll.(*FD).Read({fd}, {c}, 0x1, 0x1, 0x0, 0x0, 0x0)\n\t{GO}/internal/poll/fd_unix.go:169 +0x19b\n\
net.(*netFD).Read({fd}, {c}, 0x1, 0x1, 0x0, 0x0, 0x0)\n\t{GO}/net/fd_unix.go:202 +0x51\n\
net.(*conn).Read({c}, {c}, 0x1, 0x1, 0x0, 0x0, 0x0)\n\t{GO}/net/net.go:177 +0x6a\n\
net/http.(*connReader).backgroundRead({c})\n\t{GO}/net/http/server.go:676 +0x5c\n\
created by net/http.(*connReader).startBackgroundRead\n\t{GO}/net/http/server.go:672 +0xd4\n\n",
        r.below(0xffff)
    );
}

pub fn grpc_loopy(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
    let (a, b) = (r.addr(), r.addr());
    let _ = write!(
        out,
        "goroutine {id} [select, {minutes} minutes]:\n\
github.com/docker/docker/vendor/google.golang.org/grpc/transport.(*controlBuffer).get({a}, 0x1, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/vendor/google.golang.org/grpc/transport/controlbuf.go:317 +0x104\n\
github.com/docker/docker/vendor/google.golang.org/grpc/transport.(*loopyWriter).run({b}, 0x0, 0x0)\n\
\t{DD}/vendor/google.golang.org/grpc/transport/controlbuf.go:435 +0x1b0\n\
github.com/docker/docker/vendor/google.golang.org/grpc/transport.newHTTP2Client.func3({a})\n\
\t{DD}/vendor/google.golang.org/grpc/transport/http2_client.go:312 +0x7d\n\
created by github.com/docker/docker/vendor/google.golang.org/grpc/transport.newHTTP2Client\n\
\t{DD}/vendor/google.golang.org/grpc/transport/http2_client.go:310 +0xdb0\n\n"
    );
}

pub fn event_stream(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
    let (a, b) = (r.addr(), r.addr());
    let _ = write!(
        out,
        "goroutine {id} [select, {minutes} minutes]:\n\
github.com/docker/docker/vendor/github.com/containerd/containerd.(*eventRemote).Subscribe.func1({a}, {b}, 0x55e2c4004c20, 0xc000b92f60, 0x55e2c402ca40, {a}, 0xc000a13e60)\n\
\t{DD}/vendor/github.com/containerd/containerd/events.go:98 +0x1ad\n\
created by github.com/docker/docker/vendor/github.com/containerd/containerd.(*eventRemote).Subscribe\n\
\t{DD}/vendor/github.com/containerd/containerd/events.go:93 +0x24f\n\n"
    );
}

pub fn log_copier(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
    let (a, b) = (r.addr(), r.addr());
    let _ = write!(
        out,
        "goroutine {id} [chan receive, {minutes} minutes]:\n\
github.com/docker/docker/daemon/logger.(*Copier).Wait(...)\n\
\t{DD}/daemon/logger/copier.go:177\n\
github.com/docker/docker/container/stream.(*Config).CopyToPipe.func1.1({a}, {b})\n\
\t{DD}/container/stream/streams.go:123 +0x7b\n\
created by github.com/docker/docker/container/stream.(*Config).CopyToPipe.func1\n\
\t{DD}/container/stream/streams.go:121 +0x101\n\n"
    );
}
