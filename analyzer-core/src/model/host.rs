//! Host state and derived facts.
