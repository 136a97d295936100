//! Generators of realistic inputs for nodemortem's benchmarks and corpus bundles.
//!
//! * [`noise`]: the ordinary log traffic of a busy node, deterministic, with incident lines
//!   merged in by time.
//! * [`bulk`]: multi-GB node logs with incidents, and sosreport-shaped `.tar.gz`/`.tar.xz`.
//! * [`dump`]: a large dockerd goroutine dump with one lock convoy.
//! * [`lock_graph`]: goroutine dumps with a chosen wait-for graph (chains, cycles, convoys).

pub mod bulk;
pub mod dump;
pub mod dump_frames;
pub mod lock_graph;
pub mod noise;
