//! The rule engine.
