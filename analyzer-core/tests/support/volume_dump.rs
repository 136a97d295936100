//! Deterministic generator of the seed-003 dockerd 18.09 SIGUSR1 goroutine dump
//! (`corpus/seed-003-volume-remove-lock/var/run/docker/goroutine-stacks-2020-07-15T101222Z.log`).
//!
//! Frame shapes follow Go 1.10/1.11 `runtime.Stack(buf, true)` output as written by
//! `github.com/docker/docker/pkg/signal.DumpStacks` (moby 18.09, pkg/signal/trap.go), the
//! recursive `os.RemoveAll` of go1.11 `os/path.go` (moby/moby#31801) and the vendored grpc and
//! libcontainerd paths of moby 18.09.

use std::fmt::Write;

#[allow(dead_code)]
#[path = "../../../benches/src/dump_frames.rs"]
mod frames;
use frames::*;

pub use frames::HOLDER;

/// Waiters reached from `ContainerCreate`.
pub const CREATE_WAITERS: usize = 180;
/// Waiters reached from `Cleanup` → `UnmountVolumes`.
pub const CLEANUP_WAITERS: usize = 37;
/// Unrelated goroutines (network poll, grpc, event loops, log copiers).
pub const OTHERS: usize = 1100;

/// What the generator produced, for exact assertions.
pub struct Generated {
    /// The dump text.
    pub text: String,
    /// Ids of the goroutines waiting on the Root mutex, in file order.
    pub waiters: Vec<u64>,
    /// The longest wait among them.
    pub max_wait: u32,
}

/// How the stack of the goroutine holding the Root lock reads.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)]
pub enum Holder {
    /// The committed seed dump: go1.11 `os.RemoveAll` three levels deep.
    Seed,
    /// go1.11's recursive `os.RemoveAll` (os/path.go) `levels` directories deep, as in a
    /// volume holding a deep tree (moby/moby#31801 shows twelve and more).
    DeepRemoveAll(usize),
    /// Go ≥ 1.13: `os.RemoveAll` → `os.removeAll` → `os.removeAllFrom` (os/removeall_at.go)
    /// recursing `levels` directories deep, unlinking with `internal/syscall/unix.Unlinkat`.
    RemoveAllFrom(usize),
}

/// Generates the committed seed dump.
#[allow(dead_code)]
pub fn generate() -> Generated {
    generate_with(Holder::Seed)
}

/// Generates the dump with the holder's stack written as `holder` says; everything else is
/// the seed's.
pub fn generate_with(holder: Holder) -> Generated {
    let mut r = Rng(0x5eed_0003);
    let mut out = String::with_capacity(3 << 20);
    // The goroutine calling runtime.Stack prints first.
    let _ = write!(
        out,
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
main.newDaemonCommand.func1(0xc0000be780, 0xc00011a4e0, 0x0, 0x10, 0x0, 0x0)\n\
\t{DD}/cmd/dockerd/docker.go:29 +0x5d\n\
github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).execute(0xc0000be780, 0xc0000ba160, 0x10, 0x11, 0xc0000be780, 0xc0000ba160)\n\
\t{DD}/vendor/github.com/spf13/cobra/command.go:762 +0x468\n\
github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).ExecuteC(0xc0000be780, 0x0, 0x0, 0x10)\n\
\t{DD}/vendor/github.com/spf13/cobra/command.go:852 +0x2fe\n\
github.com/docker/docker/vendor/github.com/spf13/cobra.(*Command).Execute(...)\n\
\t{DD}/vendor/github.com/spf13/cobra/command.go:800\n\
main.main()\n\
\t{DD}/cmd/dockerd/docker.go:97 +0x185\n\n\
goroutine 6 [syscall, 1467 minutes]:\n\
os/signal.signal_recv(0x0)\n\t{GO}/runtime/sigqueue.go:139 +0x9e\n\
os/signal.loop()\n\t{GO}/os/signal/signal_unix.go:23 +0x24\n\
created by os/signal.init.0\n\t{GO}/os/signal/signal_unix.go:29 +0x43\n\n"
    );
    let mut waiters = Vec::new();
    let mut max_wait = 0;
    let total = CREATE_WAITERS + CLEANUP_WAITERS + OTHERS;
    let mut create_left = CREATE_WAITERS;
    let mut cleanup_left = CLEANUP_WAITERS;
    let mut id = 57u64;
    let mut holder_done = false;
    for i in 0..total {
        id += 1 + r.below(6);
        if !holder_done && id >= HOLDER {
            write_holder(&mut out, holder);
            holder_done = true;
            id = HOLDER + 1 + r.below(3);
        }
        let remaining = (total - i) as u64;
        let pick = r.below(remaining);
        if pick < create_left as u64 {
            create_left -= 1;
            let m = 1 + r.below(82) as u32;
            max_wait = max_wait.max(m);
            waiters.push(id);
            create_waiter(&mut out, &mut r, id, m);
        } else if pick < (create_left + cleanup_left) as u64 {
            cleanup_left -= 1;
            let m = 1 + r.below(82) as u32;
            max_wait = max_wait.max(m);
            waiters.push(id);
            cleanup_waiter(&mut out, &mut r, id, m);
        } else {
            let m = 1 + r.below(1466) as u32;
            match r.below(10) {
                0..=4 => background_read(&mut out, &mut r, id),
                5..=6 => grpc_loopy(&mut out, &mut r, id, m),
                7..=8 => event_stream(&mut out, &mut r, id, m),
                _ => log_copier(&mut out, &mut r, id, m),
            }
        }
    }
    if !holder_done {
        write_holder(&mut out, holder);
    }
    Generated {
        text: out,
        waiters,
        max_wait,
    }
}

/// Writes the holder goroutine.
fn write_holder(out: &mut String, holder: Holder) {
    let levels = match holder {
        Holder::Seed => return frames::holder(out),
        Holder::DeepRemoveAll(n) | Holder::RemoveAllFrom(n) => n.max(1),
    };
    let mut r = Rng(HOLDER ^ levels as u64);
    let _ = writeln!(out, "goroutine {HOLDER} [syscall, 83 minutes]:");
    match holder {
        Holder::DeepRemoveAll(_) => {
            let _ = write!(
                out,
                "syscall.Syscall(0x107, 0xffffffffffffff9c, 0xc00294c0f0, 0x0, 0x0, 0x0, 0x0)\n\
\t{GO}/syscall/asm_linux_amd64.s:18 +0x5\n\
syscall.unlinkat(0xffffffffffffff9c, 0xc00294c0a0, 0x4f, 0x0, 0xc000d3e1b0, 0x0)\n\
\t{GO}/syscall/zsyscall_linux_amd64.go:126 +0x8d\n\
syscall.Unlink(...)\n\
\t{GO}/syscall/syscall_linux.go:148\n\
os.Remove(0xc00294c0a0, 0x4f, 0x0, 0x0)\n\
\t{GO}/os/file_unix.go:293 +0x48\n\
os.RemoveAll(0xc00294c0a0, 0x4f, 0x0, 0x0)\n\
\t{GO}/os/path.go:68 +0x3b\n"
            );
            for _ in 1..levels {
                let _ = write!(
                    out,
                    "os.RemoveAll({}, 0x{:x}, 0x0, 0x0)\n\t{GO}/os/path.go:102 +0x37b\n",
                    r.addr(),
                    0x3d + r.below(0x80)
                );
            }
        }
        Holder::RemoveAllFrom(_) => {
            let _ = write!(
                out,
                "syscall.Syscall(0x107, 0xd, 0xc00294c0f0, 0x0, 0x0, 0x0, 0x0)\n\
\t{GO}/syscall/asm_linux_amd64.s:18 +0x5\n\
internal/syscall/unix.Unlinkat(0xd, 0xc00294c0a0, 0x24, 0x0, 0x0, 0x0)\n\
\t{GO}/internal/syscall/unix/at.go:26 +0x9b\n\
os.removeAllFrom(0xc000010a28, 0xc00294c0a0, 0x24, 0x0, 0x0)\n\
\t{GO}/os/removeall_at.go:77 +0xf7\n"
            );
            for _ in 1..levels {
                let _ = write!(
                    out,
                    "os.removeAllFrom({}, {}, 0x{:x}, 0x0, 0x0)\n\t{GO}/os/removeall_at.go:112 +0x5e6\n",
                    r.addr(),
                    r.addr(),
                    0x8 + r.below(0x40)
                );
            }
            let _ = write!(
                out,
                "os.removeAll(0xc0012f8a50, 0x3d, 0x0, 0x0)\n\
\t{GO}/os/removeall_at.go:63 +0x1fe\n\
os.RemoveAll(...)\n\
\t{GO}/os/path.go:67\n"
            );
        }
        Holder::Seed => unreachable!("returned above"),
    }
    let _ = write!(
        out,
        "github.com/docker/docker/volume/local.(*Root).Remove({ROOT}, 0x55e2c401e3a0, 0xc0015a2b40, 0x0, 0x0)\n\
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
