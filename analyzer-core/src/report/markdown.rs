//! Markdown renderer.
