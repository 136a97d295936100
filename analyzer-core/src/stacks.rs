//! Stack analysis of goroutine dumps: buckets of identical stacks, lock identity, holder
//! inference and the mutex wait-for graph.

pub mod bucket;
pub mod locks;
