//! Walks of the mutex wait-for graph: deadlocks and transitive waiter counts, iterative and
//! linear in the size of the graph.
//!
//! A dump can hold a wait chain or a lock cycle of every goroutine it has (100 000 in the
//! hostile suite): no walk here recurses (each keeps its stack on the heap), and none visits a
//! node or an edge more than a fixed number of times, so a graph of `n` goroutines costs `O(n)`
//! time and memory whatever its shape.
//!
//! * [`deadlocks`]: strongly connected components by petgraph's `kosaraju_scc` (iterative,
//!   `O(V + E)`; petgraph's `tarjan_scc` is recursive and overflows the stack on a cycle of a
//!   few ten thousand goroutines on a 2 MiB worker stack).
//! * [`Ancestors`]: for a graph where every node waits on at most one other (the waiter →
//!   holder graph), how many nodes reach each node, by one pass in topological order (Kahn's
//!   algorithm) and one walk around each cycle.

use petgraph::graph::{DiGraph, NodeIndex};

use crate::parse::goroutine::{FxMap, FxSet};

/// No successor, or not on a cycle.
pub const NONE: u32 = u32::MAX;

/// The strongly connected components of `edges` that are deadlocks: two or more nodes below
/// `real`, or one such node with an edge to itself. Nodes `>= real` are helper nodes (an
/// RWMutex's pending writers as one target, so that `r` readers and `w` writers cost `r + w`
/// edges, not `r × w`); they are left out of the result. Each component's nodes ascending,
/// components in no particular order.
pub fn deadlocks(edges: &[(u32, u32)], real: u32) -> Vec<Vec<u32>> {
    let mut graph: DiGraph<u32, ()> = DiGraph::with_capacity(edges.len(), edges.len());
    let mut nodes: FxMap<u32, NodeIndex> = FxMap::default();
    let mut self_loop: Vec<u32> = Vec::new();
    for &(a, b) in edges {
        if a == b {
            self_loop.push(a);
            continue;
        }
        let na = *nodes.entry(a).or_insert_with(|| graph.add_node(a));
        let nb = *nodes.entry(b).or_insert_with(|| graph.add_node(b));
        graph.add_edge(na, nb, ());
    }
    self_loop.sort_unstable();
    self_loop.dedup();
    let mut out: Vec<Vec<u32>> = Vec::new();
    for c in petgraph::algo::kosaraju_scc(&graph) {
        let mut members: Vec<u32> = c.iter().map(|&n| graph[n]).filter(|&x| x < real).collect();
        if members.len() > 1 {
            members.sort_unstable();
            out.push(members);
        }
    }
    // A self-loop makes a component of one; in a larger one it is already counted.
    let in_large: FxSet<u32> = out.iter().flatten().copied().collect();
    out.extend(
        self_loop
            .into_iter()
            .filter(|x| *x < real && !in_large.contains(x))
            .map(|x| vec![x]),
    );
    out
}

/// How many nodes reach each node of a graph in which every node has at most one successor
/// (`succ[x]`, or [`NONE`]). Such a graph is a set of trees hanging off cycles (or off roots
/// without a successor); on it, "everything that reaches x" is x's subtree, and the subtrees
/// of two nodes are disjoint unless one reaches the other.
#[derive(Clone, Debug)]
pub struct Ancestors {
    /// Per node: the nodes off its cycle that reach it, itself excluded.
    below: Vec<u64>,
    /// Per node: its cycle (index into `cycle_reach`), or [`NONE`].
    cycle: Vec<u32>,
    /// Per cycle: its nodes and every node that reaches it.
    cycle_reach: Vec<u64>,
}

impl Ancestors {
    /// Counts, in `O(n)`: nodes are taken leaves first (Kahn's algorithm: a node is done when
    /// every node pointing at it is), each adding itself and its own count to its successor;
    /// what is never done lies on a cycle, walked once.
    pub fn new(succ: &[u32]) -> Ancestors {
        let n = succ.len();
        let mut indeg = vec![0u32; n];
        for &s in succ {
            if let Some(d) = indeg.get_mut(s as usize) {
                *d += 1;
            }
        }
        let mut below = vec![0u64; n];
        let mut ready: Vec<u32> = (0..n as u32).filter(|&x| indeg[x as usize] == 0).collect();
        while let Some(x) = ready.pop() {
            let s = succ[x as usize];
            if let Some(d) = indeg.get_mut(s as usize) {
                below[s as usize] += 1 + below[x as usize];
                *d -= 1;
                if *d == 0 {
                    ready.push(s);
                }
            }
        }
        // Every node left with a predecessor is on a cycle: its predecessors on the cycle were
        // never done, and a node off the cycles always is.
        let mut cycle = vec![NONE; n];
        let mut cycle_reach = Vec::new();
        for start in 0..n {
            if indeg[start] == 0 || cycle[start] != NONE {
                continue;
            }
            let id = cycle_reach.len() as u32;
            let mut reach = 0u64;
            let mut x = start;
            while cycle[x] == NONE {
                cycle[x] = id;
                reach += 1 + below[x];
                x = succ[x] as usize;
            }
            cycle_reach.push(reach);
        }
        Ancestors {
            below,
            cycle,
            cycle_reach,
        }
    }

    /// The number of nodes, `holder` excluded, that are in `waiters` or reach one of them,
    /// when every waiter's successor is `holder` (or none): the transitive waiters of a lock.
    ///
    /// * A waiter on a cycle: the holder (its successor) is on it too, every waiter reaches
    ///   it, so the answer is the cycle and all that reach it, less the holder.
    /// * Else, when the holder is itself a waiter without an edge (a reader re-acquiring its
    ///   own read lock): everything reaching the holder.
    /// * Else no waiter reaches another (it would go through the holder and back: a cycle), so
    ///   their subtrees are disjoint and add up; the holder reaches no waiter either.
    pub fn transitive(&self, waiters: &[u32], holder: Option<u32>) -> u64 {
        let at = |x: u32| x as usize;
        if let Some(c) = waiters
            .iter()
            .map(|&w| self.cycle.get(at(w)).copied().unwrap_or(NONE))
            .find(|&c| c != NONE)
        {
            let reach = self.cycle_reach.get(c as usize).copied().unwrap_or(0);
            return reach.saturating_sub(u64::from(holder.is_some()));
        }
        if let Some(h) = holder
            && waiters.contains(&h)
        {
            return self.below.get(at(h)).copied().unwrap_or(0);
        }
        waiters
            .iter()
            .map(|&w| 1 + self.below.get(at(w)).copied().unwrap_or(0))
            .sum()
    }

    /// Nodes off `x`'s cycle that reach `x` (all nodes reaching `x` when it is on none).
    pub fn below(&self, x: u32) -> u64 {
        self.below.get(x as usize).copied().unwrap_or(0)
    }

    /// True when `x` lies on a cycle (a self-loop included).
    pub fn on_cycle(&self, x: u32) -> bool {
        self.cycle.get(x as usize).is_some_and(|&c| c != NONE)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn sorted(mut d: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
        d.sort();
        d
    }

    #[test]
    fn deadlocks_of_small_graphs() {
        // A cycle of two, a self-loop, a chain.
        assert_eq!(deadlocks(&[(0, 1), (1, 0)], 10), vec![vec![0, 1]]);
        assert_eq!(deadlocks(&[(3, 3)], 10), vec![vec![3]]);
        assert!(deadlocks(&[(0, 1), (1, 2), (2, 3)], 10).is_empty());
        // Nested components: 0→1→2→0 and 3→4→3, joined one way (2→3), a tail 5→0, a
        // self-loop inside the larger cycle (counted once, with its cycle).
        let e = [
            (0, 1),
            (1, 2),
            (2, 0),
            (2, 3),
            (3, 4),
            (4, 3),
            (5, 0),
            (1, 1),
        ];
        assert_eq!(sorted(deadlocks(&e, 10)), vec![vec![0, 1, 2], vec![3, 4]]);
        // A helper node (≥ real) on the cycle is left out; a cycle through helpers with one
        // real node is no deadlock of two.
        assert_eq!(
            deadlocks(&[(0, 10), (10, 1), (10, 2), (1, 0), (2, 0)], 10),
            vec![vec![0, 1, 2]]
        );
        assert!(deadlocks(&[], 10).is_empty());
    }

    #[test]
    fn a_cycle_of_a_million_nodes_does_not_recurse() {
        let n = 1_000_000u32;
        let edges: Vec<(u32, u32)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
        // On a thread with a small stack: a recursive walk would overflow it.
        let d = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || deadlocks(&edges, n))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].len(), n as usize);
        let succ: Vec<u32> = (0..n)
            .map(|i| if i + 1 < n { i + 1 } else { NONE })
            .collect();
        let a = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || Ancestors::new(&succ))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(a.below(n - 1), u64::from(n - 1));
        assert_eq!(a.transitive(&[n - 2], Some(n - 1)), u64::from(n - 1));
    }

    #[test]
    fn ancestors_of_chains_cycles_and_self_loops() {
        // 0→1→2, 3→2: 2 has three below it.
        let a = Ancestors::new(&[1, 2, NONE, 2]);
        assert_eq!((a.below(2), a.below(1), a.below(0)), (3, 1, 0));
        assert!(!a.on_cycle(2));
        // Lock held by 2, waited on by 1 and 3: 1, 0 and 3.
        assert_eq!(a.transitive(&[1, 3], Some(2)), 3);
        // Lock held by 1, waited on by 0.
        assert_eq!(a.transitive(&[0], Some(1)), 1);
        // No holder: the waiters and their subtrees.
        assert_eq!(a.transitive(&[2], None), 4);
        // A cycle of two (0↔1) with a tail 2→0.
        let a = Ancestors::new(&[1, 0, 0]);
        assert!(a.on_cycle(0) && a.on_cycle(1) && !a.on_cycle(2));
        assert_eq!(a.transitive(&[1], Some(0)), 2);
        assert_eq!(a.transitive(&[0, 2], Some(1)), 2);
        // A self-loop (an RWMutex upgrade) with two waiters behind it.
        let a = Ancestors::new(&[0, 0, 0]);
        assert!(a.on_cycle(0));
        assert_eq!(a.transitive(&[0, 1, 2], Some(0)), 2);
        // A holder that waits on its own lock without an edge (read lock taken again).
        let a = Ancestors::new(&[NONE, 0, 1]);
        assert_eq!(a.transitive(&[0, 1], Some(0)), 2);
    }

    /// Brute force: the nodes (holder excluded) in `waiters` or reaching one.
    fn brute(succ: &[u32], waiters: &[u32], holder: Option<u32>) -> u64 {
        let mut set: BTreeSet<u32> = waiters.iter().copied().collect();
        for x in 0..succ.len() as u32 {
            let mut y = x;
            for _ in 0..=succ.len() {
                if waiters.contains(&y) {
                    set.insert(x);
                    break;
                }
                y = succ[y as usize];
                if y == NONE {
                    break;
                }
            }
        }
        if let Some(h) = holder {
            set.remove(&h);
        }
        set.len() as u64
    }

    /// Every lock of random small waiter → holder graphs, against brute force.
    #[test]
    fn transitive_counts_match_brute_force() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..2000 {
            let n = 1 + rnd(12) as u32;
            let locks = 1 + rnd(u64::from(n)) as u32;
            // Each lock's holder (or none); each goroutine waits on one lock or none.
            let holder: Vec<Option<u32>> = (0..locks)
                .map(|_| (rnd(4) != 0).then(|| rnd(u64::from(n)) as u32))
                .collect();
            let waits: Vec<Option<u32>> = (0..n)
                .map(|_| (rnd(3) != 0).then(|| rnd(u64::from(locks)) as u32))
                .collect();
            // An edge to the holder, except sometimes for the holder itself (a read lock
            // taken again).
            let own_edge = rnd(2) == 0;
            let succ: Vec<u32> = (0..n)
                .map(
                    |g| match waits[g as usize].and_then(|l| holder[l as usize]) {
                        Some(h) if h != g || own_edge => h,
                        _ => NONE,
                    },
                )
                .collect();
            let a = Ancestors::new(&succ);
            for l in 0..locks {
                let ws: Vec<u32> = (0..n).filter(|&g| waits[g as usize] == Some(l)).collect();
                if ws.is_empty() {
                    continue;
                }
                let h = holder[l as usize];
                assert_eq!(
                    a.transitive(&ws, h),
                    brute(&succ, &ws, h),
                    "succ {succ:?} waiters {ws:?} holder {h:?}"
                );
            }
        }
    }
}
