//! Terminal renderer.
