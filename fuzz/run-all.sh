#!/bin/sh
# Runs every fuzz target one after the other for SECONDS each (default 60), at low priority,
# and prints executions, time and crashes per target. Usage: fuzz/run-all.sh [SECONDS] [TARGET…]
# RUNS=N stops a target after N executions (whichever comes first); MAX_LEN sets libFuzzer's
# -max_len (65536 by default); NICE its priority (10 by default); TIMEOUT the seconds after
# which one execution counts as a hang (10 by default; wall time, so raise it on a loaded
# machine for targets whose largest inputs take seconds, such as locks).
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"records journal syslog dmesg klog logrus goroutine locks host_ps host_pstree host_netns host_cgroup host_runtime host_versions clock rules bundle inventory"}
mkdir -p logs
for t in $targets; do
    mkdir -p "corpus/$t"
    start=$(date +%s)
    nice -n "${NICE:-10}" cargo fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$secs" -runs="${RUNS:--1}" -timeout="${TIMEOUT:-10}" -rss_limit_mb=2048 -max_len="${MAX_LEN:-65536}" \
        -print_final_stats=1 >"logs/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    crashes=$(ls artifacts/"$t" 2>/dev/null | wc -l)
    printf '%-14s exit=%s execs=%s seconds=%s artifacts=%s\n' "$t" "$rc" "${execs:-?}" "$((end - start))" "$crashes"
done
