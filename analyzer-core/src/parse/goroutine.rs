//! Goroutine dumps (Go 1.8 to current), zero-copy.
