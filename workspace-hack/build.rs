//! Empty: a package needs a build script for its `[build-dependencies]` to be resolved, and this
//! crate exists only for the features those dependencies declare (see Cargo.toml).

fn main() {}
