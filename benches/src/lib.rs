//! Generators of realistic inputs for nodemortem's benchmarks and corpus bundles.
//!
//! * [`noise`]: the ordinary log traffic of a busy node, deterministic, with incident lines
//!   merged in by time.

pub mod noise;
