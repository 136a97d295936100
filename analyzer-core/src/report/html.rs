//! HTML renderer.
