//! A large dockerd SIGUSR1 goroutine dump: the frame shapes of the seed-003 dump
//! (`analyzer-core/tests/support/volume_dump.rs`: Go 1.10/1.11 `runtime.Stack(buf, true)` output
//! as written by moby 18.09 `pkg/signal.DumpStacks`), scaled to any number of goroutines with the
//! same state mix and one lock convoy on the `volume/local.(*Root)` mutex.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::dump_frames::*;

pub use crate::dump_frames::HOLDER;

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
