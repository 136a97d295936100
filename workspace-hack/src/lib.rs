//! Nothing to use: this crate only declares dependencies, so that building analyzer-py alone
//! enables the same dependency features as `cargo test --workspace` and reuses what it compiled
//! (see this crate's Cargo.toml).
