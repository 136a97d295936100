//! `ps` output in every sos shape.
