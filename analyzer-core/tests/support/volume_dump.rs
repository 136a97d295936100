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

/// Generates the dump.
pub fn generate() -> Generated {
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
            holder(&mut out);
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
        holder(&mut out);
    }
    Generated {
        text: out,
        waiters,
        max_wait,
    }
}
