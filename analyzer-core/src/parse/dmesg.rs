//! Kernel ring buffer: dmesg raw, `-T`, `-x`, `<N>`-prefixed, and `/dev/kmsg` records.
