#!/usr/bin/env bash
# Regenerates every generated file of the corpus bundles (journals, syslog files) from the
# inject sources in corpus/build/<bundle>/*.tsv. Run from the workspace root:
#   bash corpus/build/regen.sh            # every bundle
#   bash corpus/build/regen.sh <bundle>   # one bundle
# Hand-written files (host state, version files, goroutine dumps, expected.json) are committed
# as they are and not touched here.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q -p benches --bin gen
GEN=target/debug/gen
ONLY=${1:-}

# gen_log BUNDLE OUTFILE HEADER_LINE_OR_EMPTY gen-args...
# Writes OUTFILE (relative to corpus/BUNDLE) from the generator, with an optional first line
# (the `-- Logs begin at … --` line that journalctl prints).
gen_log() {
    local bundle=$1 out=$2 head=$3
    shift 3
    if [ -n "$ONLY" ] && [ "$ONLY" != "$bundle" ]; then return 0; fi
    local dest="corpus/$bundle/$out"
    mkdir -p "$(dirname "$dest")"
    {
        if [ -n "$head" ]; then echo "$head"; fi
        "$GEN" noise "$@"
    } >"$dest"
}

# --- seed bundles

# seed-000-runc-exec-fifo-hang: Docker 17.03.2-ce node, CentOS 7 (CST, +08:00)
gen_log seed-000-runc-exec-fifo-hang sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Fri 2018-12-14 19:00:00 CST, end at Fri 2018-12-14 20:15:32 CST. --" \
    --shape journal --host test-001 --start 2018-12-14T19:00:00 --offset +08:00 \
    --lines 3000 --gap-ms 1500 --seed 1000 \
    --inject corpus/build/seed-000-runc-exec-fifo-hang/journal.tsv

# seed-000-devicemapper-thinpool: CentOS 7 rsyslog /var/log/messages (CST, +08:00)
gen_log seed-000-devicemapper-thinpool var/log/messages "" \
    --shape syslog --host two-slave-41-135 --start 2018-12-14T03:00:00 --offset +08:00 \
    --lines 1000 --gap-ms 1200 --seed 1001 \
    --inject corpus/build/seed-000-devicemapper-thinpool/messages.tsv

# seed-001-pod-terminating: Kubernetes v1.16.6 / Docker 18.09.9 node (CST, +08:00)
gen_log seed-001-pod-terminating sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Thu 2020-08-20 09:30:00 CST, end at Thu 2020-08-20 10:45:00 CST. --" \
    --shape journal --host tke-node --start 2020-08-20T09:30:00 --offset +08:00 \
    --lines 3000 --gap-ms 1500 --seed 1011 \
    --inject corpus/build/seed-001-pod-terminating/journal.tsv

# seed-001-state-mismatch: same kubelet lines plus the node's memcg OOM kills
gen_log seed-001-state-mismatch sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Thu 2020-08-20 09:30:00 CST, end at Thu 2020-08-20 10:45:00 CST. --" \
    --shape journal --host tke-node --start 2020-08-20T09:30:00 --offset +08:00 \
    --lines 3000 --gap-ms 1500 --seed 1012 \
    --inject corpus/build/seed-001-state-mismatch/journal.tsv

# partial-docker-api-loop: only the dockerd debug API loop of seed-000 (no OOM, dump, ps, versions)
gen_log partial-docker-api-loop sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Fri 2018-12-14 19:00:00 CST, end at Fri 2018-12-14 20:15:32 CST. --" \
    --shape journal --host test-002 --start 2018-12-14T19:00:00 --offset +08:00 \
    --lines 3000 --gap-ms 1500 --seed 1090 \
    --inject corpus/build/partial-docker-api-loop/journal.tsv

# seed-002-pids-exhausted: Docker 18.06 node (CST, +08:00)
gen_log seed-002-pids-exhausted sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Wed 2021-05-12 08:30:00 CST, end at Wed 2021-05-12 09:29:39 CST. --" \
    --shape journal --host k8s-node-07 --start 2021-05-12T08:30:00 --offset +08:00 \
    --lines 3000 --gap-ms 1200 --seed 1020 \
    --inject corpus/build/seed-002-pids-exhausted/journal.tsv

# seed-003-volume-remove-lock: Debian 10 / Docker 18.09.9 node (UTC)
gen_log seed-003-volume-remove-lock sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Wed 2020-07-15 09:00:00 UTC, end at Wed 2020-07-15 10:16:47 UTC. --" \
    --shape journal --host node-ds-14 --start 2020-07-15T09:00:00 --offset +00:00 \
    --lines 3000 --gap-ms 1500 --seed 1030 \
    --inject corpus/build/seed-003-volume-remove-lock/journal.tsv

# seed-004-leaked-netns: three quiet days of a CentOS 7.4 / Docker 17.09 node (CST); no incident lines
gen_log seed-004-leaked-netns sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Thu 2018-03-15 09:00:00 CST, end at Sun 2018-03-18 09:57:51 CST. --" \
    --shape journal --host node-17 --start 2018-03-15T09:00:00 --offset +08:00 \
    --lines 3000 --gap-ms 86000 --seed 1040 \
    --inject corpus/build/seed-004-leaked-netns/journal.tsv

# seed-004-orphaned-shim: the interrupted `systemctl stop docker` on Mar 14, then three days (CST)
gen_log seed-004-orphaned-shim sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Wed 2018-03-14 09:00:00 CST, end at Sat 2018-03-17 09:57:51 CST. --" \
    --shape journal --host node-17 --start 2018-03-14T09:00:00 --offset +08:00 \
    --lines 3000 --gap-ms 86000 --seed 1041 \
    --inject corpus/build/seed-004-orphaned-shim/journal.tsv

# healthy-node: Ubuntu 20.04 worker, docker 20.10 + containerd 1.5 (v2 shims), kubelet 1.23 (UTC)
gen_log healthy-node sos_commands/logs/journalctl_--no-pager \
    "-- Logs begin at Fri 2022-02-11 08:00:00 UTC, end at Fri 2022-02-11 09:40:00 UTC. --" \
    --shape journal --host worker-7 --start 2022-02-11T08:00:00 --offset +00:00 \
    --lines 4000 --gap-ms 1400 --seed 4242 \
    --inject corpus/build/healthy-node/journal.tsv

# --- common bundles
# common_journal NAME HOST START OFFSET LINES GAP_MS SEED HEADER
# writes corpus/NAME/sos_commands/logs/journalctl_--no-pager from corpus/build/NAME/journal.tsv.
common_journal() {
    gen_log "$1" sos_commands/logs/journalctl_--no-pager "$8" \
        --shape journal --host "$2" --start "$3" --offset "$4" --lines "$5" --gap-ms "$6" \
        --seed "$7" --inject "corpus/build/$1/journal.tsv"
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


# --- common-goroutine-deadlock (dockerd 20.10.11 libnetwork lock cycle, CentOS 7.9, CST)
# The goroutine dump is generated too (deterministic, corpus/build/common-goroutine-deadlock/gen_dump.py).
common_journal common-goroutine-deadlock k8s-node-09 2021-12-09T15:00:00 +08:00 2500 1200 116 "-- Logs begin at Wed 2021-12-08 13:00:00 CST, end at Thu 2021-12-09 15:52:00 CST. --"
if [ -z "$ONLY" ] || [ "$ONLY" = common-goroutine-deadlock ]; then
    python3 corpus/build/common-goroutine-deadlock/gen_dump.py \
        "corpus/common-goroutine-deadlock/var/run/docker/goroutine-stacks-2021-12-09T154207+0800.log"
fi
