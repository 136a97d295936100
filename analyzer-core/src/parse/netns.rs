//! `lsns`, `ip netns`, `ip addr` and `nsenter … ip addr` output.
