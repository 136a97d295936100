//! Runtime inventories: docker, ctr, crictl, systemctl.

use crate::parse::Format;

/// Classifies a loose host-state file by its content (`ps` header, `docker ps` header, …).
pub fn sniff_host(head: &[u8]) -> Option<Format> {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
    if first.starts_with(b"CONTAINER ID") {
        Some(Format::DockerPs)
    } else if first.starts_with(b"USER ") && memchr::memmem::find(first, b"PID").is_some() {
        Some(Format::Ps)
    } else {
        None
    }
}
