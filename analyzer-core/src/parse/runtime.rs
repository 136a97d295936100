//! Runtime inventories: docker, ctr, crictl, systemctl.
