//! A parsed goroutine dump.
