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
