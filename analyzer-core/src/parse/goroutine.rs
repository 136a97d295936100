//! Goroutine dumps (Go 1.8 to current), zero-copy.

/// True when `head` (the first KiB of a member) looks like a goroutine dump.
pub fn sniff(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"goroutine ").is_some_and(|i| {
        let rest = &head[i + 10..];
        rest.first().is_some_and(u8::is_ascii_digit) && memchr::memchr(b'[', rest).is_some()
    })
}
