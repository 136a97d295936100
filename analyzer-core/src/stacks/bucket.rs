//! Buckets of identical stacks.
//!
//! Like panicparse, goroutines whose stacks are identical once arguments and minutes are
//! ignored (same state, functions, files, lines and creator) form one bucket. The key is the
//! hash computed while parsing ([`Goroutine::hash`](crate::parse::goroutine::Goroutine::hash));
//! a bucket only holds indices, never copies of frames.

use crate::parse::goroutine::{Dump, FxMap};

/// A group of goroutines with the same stack, by index into [`Dump::goroutines`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketRef {
    /// The shared stack hash.
    pub hash: u64,
    /// The dump the members belong to.
    pub dump: u32,
    /// Member indices in file order; the first one is the representative.
    pub members: Vec<u32>,
    /// Goroutines the members stand for (a pprof record stands for many).
    pub count: u64,
}

/// Groups the goroutines of `dump`; sorted by size descending, then by first appearance.
pub fn buckets(dump: &Dump<'_>) -> Vec<BucketRef> {
    let mut index: FxMap<(u32, u64), usize> = FxMap::default();
    let mut out: Vec<BucketRef> = Vec::new();
    for (i, g) in dump.goroutines().iter().enumerate() {
        let slot = *index.entry((g.dump, g.hash)).or_insert_with(|| {
            out.push(BucketRef {
                hash: g.hash,
                dump: g.dump,
                members: Vec::new(),
                count: 0,
            });
            out.len() - 1
        });
        out[slot].members.push(i as u32);
        out[slot].count += u64::from(g.count);
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.members[0].cmp(&b.members[0])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::goroutine::parse;

    // Stack shapes as in moby/moby#31801 dumps: the same call path with different argument
    // values and minutes shares a bucket; a different line does not.
    #[test]
    fn groups_ignoring_args_and_minutes() {
        let text = "goroutine 10 [semacquire, 5 minutes]:\nsync.runtime_SemacquireMutex(0xc42001, 0x0)\n\t/usr/local/go/src/runtime/sema.go:71 +0x3d\n\n\
goroutine 11 [semacquire, 9 minutes]:\nsync.runtime_SemacquireMutex(0xc42099, 0x0)\n\t/usr/local/go/src/runtime/sema.go:71 +0x3d\n\n\
goroutine 12 [semacquire]:\nsync.runtime_SemacquireMutex(0xc42001, 0x0)\n\t/usr/local/go/src/runtime/sema.go:72 +0x3d\n\n\
goroutine 13 [IO wait]:\nsync.runtime_SemacquireMutex(0xc42001, 0x0)\n\t/usr/local/go/src/runtime/sema.go:71 +0x3d\n";
        let d = parse(text.as_bytes());
        let b = buckets(&d);
        let members: Vec<Vec<u32>> = b.iter().map(|b| b.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 1], vec![2], vec![3]]);
    }

    /// A pprof `debug=1` record stands for its count: a convoy of 250000 goroutines on one
    /// lock site reaches the analysis as one bucket of 250000.
    #[test]
    fn pprof_records_count_what_they_stand_for() {
        let text = "goroutine profile: total 250013\n\
250000 @ 0x43a1c5 0x44a5b2 0x44a58d 0x46e5c5 0x4d8f6b 0x470e41\n\
#\t0x44a58c\tsync.runtime_SemacquireMutex+0x3c\t/usr/local/go/src/runtime/sema.go:71\n\
#\t0x46e5c4\tsync.(*Mutex).lockSlow+0x164\t\t/usr/local/go/src/sync/mutex.go:138\n\
#\t0x46e5c5\tsync.(*Mutex).Lock+0x5\t\t\t/usr/local/go/src/sync/mutex.go:81\n\
#\t0x4d8f6a\tmain.(*store).get+0x4a\t\t\t/src/store.go:21\n\
\n\
13 @ 0x43a1c5 0x406b6f 0x470e41\n\
#\t0x406b6e\truntime.chanrecv1+0x1e\t/usr/local/go/src/runtime/chan.go:442\n\
\n\
goroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x4c\n";
        let a = crate::stacks::analyze(&parse(text.as_bytes()));
        assert_eq!(a.goroutines, 250_014);
        assert_eq!(
            a.buckets.iter().map(|b| b.count).collect::<Vec<_>>(),
            vec![250_000, 13, 1]
        );
        assert_eq!(a.buckets[0].frames[2].func, "sync.(*Mutex).Lock");
        assert_eq!(a.buckets[0].frames[3].func, "main.(*store).get");
    }
}
