//! Lock identity, holder inference and the wait-for graph.
