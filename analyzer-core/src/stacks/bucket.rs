//! Buckets of identical stacks.
