#!/usr/bin/env bash
# Regenerates the generated files of the corpus bundles (node journals made by `gen noise` with
# the incident lines of corpus/build/<bundle>/*.tsv merged in). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."

# --- seed bundles

# --- common bundles
# common_journal NAME HOST START OFFSET LINES GAP_MS SEED HEADER
# writes corpus/NAME/sos_commands/logs/journalctl_--no-pager: the `-- Logs begin at … --` line of a
# real capture, then `gen noise --shape journal` with corpus/build/NAME/journal.tsv merged in.
common_journal() {
    local out="corpus/$1/sos_commands/logs/journalctl_--no-pager"
    mkdir -p "$(dirname "$out")"
    {
        echo "$8"
        cargo run -q -p benches --bin gen -- noise --shape journal --host "$2" --start "$3" \
            --offset "$4" --lines "$5" --gap-ms "$6" --seed "$7" --inject "corpus/build/$1/journal.tsv"
    } >"$out"
}

common_journal common-pleg-unhealthy 10.12.4.37 2021-11-16T09:00:00 +08:00 2500 1200 101 "-- Logs begin at Mon 2021-11-15 07:00:00 CST, end at Tue 2021-11-16 09:52:00 CST. --"
common_journal common-oom-kill ip-10-0-3-57 2022-01-12T13:00:00 +00:00 2500 1200 102 "-- Logs begin at Tue 2022-01-11 11:00:00 UTC, end at Wed 2022-01-12 13:52:00 UTC. --"
common_journal common-hung-task ip-172-31-22-84.ec2.internal 2021-09-08T14:00:00 +00:00 2500 1200 103 "-- Logs begin at Tue 2021-09-07 12:00:00 UTC, end at Wed 2021-09-08 14:52:00 UTC. --"
common_journal common-unregister-netdevice k8s-worker-07 2021-06-21T10:00:00 +00:00 2500 1200 104 "-- Logs begin at Sun 2021-06-20 08:00:00 UTC, end at Mon 2021-06-21 10:52:00 UTC. --"
common_journal common-conntrack-full node-gz-31 2021-05-27T20:00:00 +08:00 2500 1200 105 "-- Logs begin at Wed 2021-05-26 18:00:00 CST, end at Thu 2021-05-27 20:52:00 CST. --"
common_journal common-pids-fork-rejected ci-node-03 2021-10-05T08:00:00 +00:00 2500 1200 106 "-- Logs begin at Mon 2021-10-04 06:00:00 UTC, end at Tue 2021-10-05 08:52:00 UTC. --"
common_journal common-inotify-exhausted k8s-worker-12 2021-04-14T15:00:00 +00:00 2500 1200 107 "-- Logs begin at Tue 2021-04-13 13:00:00 UTC, end at Wed 2021-04-14 15:52:00 UTC. --"
common_journal common-overlay-no-dtype bj-node-118 2021-08-03T11:00:00 +08:00 2500 1200 108 "-- Logs begin at Mon 2021-08-02 09:00:00 CST, end at Tue 2021-08-03 11:52:00 CST. --"
common_journal common-image-gc-failed ip-10-0-7-141 2021-12-02T06:00:00 +00:00 2500 1200 109 "-- Logs begin at Wed 2021-12-01 04:00:00 UTC, end at Thu 2021-12-02 06:52:00 UTC. --"
common_journal common-filesystem-readonly worker-db-02 2022-02-22T01:00:00 +00:00 2500 1200 110 "-- Logs begin at Sun 2022-02-20 23:00:00 UTC, end at Tue 2022-02-22 01:52:00 UTC. --"
common_journal common-kernel-oops ip-10-20-41-9 2019-03-19T17:00:00 +00:00 2500 1200 111 "-- Logs begin at Mon 2019-03-18 15:00:00 UTC, end at Tue 2019-03-19 17:52:00 UTC. --"
common_journal common-dockerd-containerd-unreachable k8s-node-21 2021-04-28T03:00:00 +00:00 2500 1200 112 "-- Logs begin at Tue 2021-04-27 01:00:00 UTC, end at Wed 2021-04-28 03:52:00 UTC. --"
common_journal common-frequent-daemon-restart gpu-node-4 2022-06-30T16:00:00 +00:00 2500 1200 113 "-- Logs begin at Wed 2022-06-29 14:00:00 UTC, end at Thu 2022-06-30 16:52:00 UTC. --"
common_journal common-shim-task-create-failed worker-eu-9 2022-09-14T07:00:00 +00:00 2500 1200 114 "-- Logs begin at Tue 2022-09-13 05:00:00 UTC, end at Wed 2022-09-14 07:52:00 UTC. --"
common_journal common-orphaned-pod-volumes node-sh-77 2021-07-07T13:00:00 +08:00 2500 1200 115 "-- Logs begin at Tue 2021-07-06 11:00:00 CST, end at Wed 2021-07-07 13:52:00 CST. --"
