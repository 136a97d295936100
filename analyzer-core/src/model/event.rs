//! Multi-record reports assembled from records: OOM kills, hung tasks, Go crashes.
