//! `pstree` output.
