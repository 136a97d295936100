//! A large dockerd SIGUSR1 goroutine dump: the frame shapes of the seed-003 dump
//! (`analyzer-core/tests/support/volume_dump.rs`: Go 1.10/1.11 `runtime.Stack(buf, true)` output
//! as written by moby 18.09 `pkg/signal.DumpStacks`), scaled to any number of goroutines with the
//! same state mix and one lock convoy on the `volume/local.(*Root)` mutex.

use std::fmt::Write as _;
use std::io::{self, Write};

/// The id of the goroutine holding the `volume/local.(*Root)` mutex.
pub const HOLDER: u64 = 2211;

const ROOT: &str = "0xc000aee820";
const GO: &str = "/usr/local/go/src";
const DD: &str = "/go/src/github.com/docker/docker";

/// A small deterministic generator (numerical recipes LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A heap address far from the Root lock.
    fn addr(&mut self) -> String {
        format!("0xc{:09x}", 0x001000000 + (self.below(0x3000000) & !0xf))
    }
}

fn http_tail(out: &mut String, r: &mut Rng, handler: &str) {
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

fn create_waiter(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
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

fn cleanup_waiter(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
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

fn holder(out: &mut String) {
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

fn background_read(out: &mut String, r: &mut Rng, id: u64) {
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

fn grpc_loopy(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
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

fn event_stream(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
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

fn log_copier(out: &mut String, r: &mut Rng, id: u64, minutes: u32) {
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

/// What [`write`] produced, for checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Goroutines written (the holder included).
    pub goroutines: u64,
    /// Goroutines waiting on the convoy mutex.
    pub waiters: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes a dump of `goroutines` goroutines: the dumping goroutine and `main` first, then a mix
/// of 5 % `ContainerCreate` and 2 % `Cleanup` waiters on one mutex held by an `os.RemoveAll`
/// in `syscall` (the convoy), and network poll, grpc, event and log-copier goroutines.
pub fn write(goroutines: u64, seed: u64, out: &mut dyn Write) -> io::Result<Written> {
    let mut r = Rng(seed ^ 0x5eed_0003);
    let mut buf = String::with_capacity(64 << 10);
    let _ = write!(
        buf,
        "goroutine 40 [running]:\n\
github.com/docker/docker/pkg/signal.DumpStacks(0x55e2c3dd5b2d, 0xf, 0x0, 0x0, 0x0, 0x0)\n\
\t{DD}/pkg/signal/trap.go:82 +0xc4\n\
github.com/docker/docker/daemon.(*Daemon).setupDumpStackTrap.func1(0xc000b36000, 0x55e2c3dd5b2d, 0xf, 0xc00041c000)\n\
\t{DD}/daemon/debugtrap_unix.go:20 +0x8b\n\
created by github.com/docker/docker/daemon.(*Daemon).setupDumpStackTrap\n\
\t{DD}/daemon/debugtrap_unix.go:17 +0x5c\n\n\
goroutine 1 [chan receive, 1467 minutes]:\n\
main.(*DaemonCli).start(0xc0000c4540, 0xc00015a7e0, 0x0, 0x0)\n\
\t{DD}/cmd/dockerd/daemon.go:342 +0x1b37\n\
main.runDaemon(...)\n\
\t{DD}/cmd/dockerd/docker_unix.go:13\n\
main.main()\n\
\t{DD}/cmd/dockerd/docker.go:97 +0x185\n\n"
    );
    let mut w = Written {
        goroutines: 2,
        ..Written::default()
    };
    let mut id = 57u64;
    let mut holder_done = false;
    while w.goroutines < goroutines.max(3) {
        id += 1 + r.below(6);
        if !holder_done && id >= HOLDER {
            holder(&mut buf);
            holder_done = true;
            w.goroutines += 1;
            id = HOLDER + 1 + r.below(3);
            continue;
        }
        match r.below(100) {
            0..=4 => {
                let m = 1 + r.below(82) as u32;
                create_waiter(&mut buf, &mut r, id, m);
                w.waiters += 1;
            }
            5..=6 => {
                let m = 1 + r.below(82) as u32;
                cleanup_waiter(&mut buf, &mut r, id, m);
                w.waiters += 1;
            }
            p => {
                let m = 1 + r.below(1466) as u32;
                match p % 10 {
                    0..=4 => background_read(&mut buf, &mut r, id),
                    5..=6 => grpc_loopy(&mut buf, &mut r, id, m),
                    7..=8 => event_stream(&mut buf, &mut r, id, m),
                    _ => log_copier(&mut buf, &mut r, id, m),
                }
            }
        }
        w.goroutines += 1;
        if buf.len() >= 60 << 10 {
            out.write_all(buf.as_bytes())?;
            w.bytes += buf.len() as u64;
            buf.clear();
        }
    }
    if !holder_done {
        holder(&mut buf);
        w.goroutines += 1;
    }
    out.write_all(buf.as_bytes())?;
    w.bytes += buf.len() as u64;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scaled dump keeps the seed-003 shapes: the parser sees every goroutine and the lock
    /// analysis finds the one convoy with its holder.
    #[test]
    fn parses_with_one_convoy() {
        let mut out = Vec::new();
        let w = write(3000, 1, &mut out).unwrap();
        assert_eq!(w.bytes, out.len() as u64);
        let dump = analyzer_core::parse::goroutine::parse(&out);
        let a = analyzer_core::stacks::analyze(&dump);
        assert_eq!(a.goroutines, w.goroutines);
        let root = a
            .locks
            .iter()
            .find(|l| l.address == "0xc000aee820")
            .expect("the convoy lock");
        assert_eq!(root.holder, Some(HOLDER));
        assert_eq!(root.waiters_total, w.waiters);
        let mut again = Vec::new();
        write(3000, 1, &mut again).unwrap();
        assert_eq!(out, again);
    }
}
