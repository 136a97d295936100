//! The functions of a dump's stacks as one table, every stack a list of indices into it.
//!
//! Rules test stacks with frame patterns (`frames = 'volume/local\.\(\*Root\)\.Remove'`): a
//! pattern is matched once against each distinct function of the dump, and a stack of any
//! depth — a holder forty directories deep in `os.RemoveAll` — is then a lookup of its indices,
//! not a scan of its text per rule.

use std::sync::Arc;

use crate::parse::goroutine::{Dump, FxMap, Goroutine};

/// Interns the function names of a dump's frames.
#[derive(Debug, Default)]
pub struct FrameTable<'a> {
    index: FxMap<&'a [u8], u32>,
    names: Vec<String>,
}

impl<'a> FrameTable<'a> {
    /// Every frame of `g` (innermost first, the whole stack as the dump printed it) as indices
    /// into the table.
    pub fn stack(&mut self, dump: &Dump<'a>, g: &Goroutine) -> Vec<u32> {
        dump.frames(g)
            .map(|f| {
                *self.index.entry(f.func).or_insert_with(|| {
                    self.names
                        .push(String::from_utf8_lossy(f.func).into_owned());
                    (self.names.len() - 1) as u32
                })
            })
            .collect()
    }

    /// The table: distinct function names, by index.
    pub fn finish(self) -> Arc<[String]> {
        self.names.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::goroutine::parse;

    // Two goroutines sharing frames (moby#31801 shapes): shared functions get one index.
    #[test]
    fn stacks_share_one_table() {
        let text = "goroutine 1 [semacquire]:\nsync.(*Mutex).Lock(0xc4201a6f48)\n\t/go/src/sync/mutex.go:134 +0x108\nmain.a()\n\t/app/a.go:3 +0x1\n\n\
goroutine 2 [syscall]:\nsyscall.unlinkat(0x1)\n\t/go/src/syscall/z.go:126 +0x8d\nos.RemoveAll(0x2)\n\t/go/src/os/path.go:68 +0x3b\nos.RemoveAll(0x3)\n\t/go/src/os/path.go:102 +0x37b\nmain.a()\n\t/app/a.go:3 +0x1\n";
        let dump = parse(text.as_bytes());
        let mut t = FrameTable::default();
        let a = t.stack(&dump, &dump.goroutines()[0]);
        let b = t.stack(&dump, &dump.goroutines()[1]);
        assert_eq!(a, vec![0, 1]);
        assert_eq!(b, vec![2, 3, 3, 1]);
        assert_eq!(
            &*t.finish(),
            [
                "sync.(*Mutex).Lock",
                "main.a",
                "syscall.unlinkat",
                "os.RemoveAll"
            ]
        );
    }
}
