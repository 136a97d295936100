//! Rules: declarative signature files, the engine that evaluates them, the built-in library.

pub mod engine;
pub mod spec;
