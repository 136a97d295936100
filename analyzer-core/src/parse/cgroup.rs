//! cgroup control files and `/proc/<pid>/cgroup`.
