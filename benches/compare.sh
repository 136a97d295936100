#!/usr/bin/env bash
# Whole-program comparison: nodemortem against its floors and peers on the same inputs.
#
#   benches/compare.sh            # 3 alternating runs per pair, medians
#   RUNS=5 benches/compare.sh     # more runs
#   ONLY=logs benches/compare.sh  # one section: logs, linear, xz, gz, real, dump, rss, locks
#
# Inputs are generated (deterministically) into target/bench-data/ when missing. Every run is
# timed with /usr/bin/time (wall seconds, peak RSS); pairs run alternately (A B A B …) on a
# warm page cache and the medians are compared. See benches/README.md for the set-up.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
ONLY="${ONLY:-all}"
DATA="$ROOT/target/bench-data"
NM="$ROOT/target/release/nodemortem"
GEN="$ROOT/target/release/gen"
REAL_NAME=sosreport-k8stest-4-2022-02-11-abcdef.tar.xz
REAL="${REAL:-$ROOT/../shared/corpus-external/$REAL_NAME}"
# From a git worktree under the workspace's parent (wt/NAME), the shared directory is one up more.
[ -f "$REAL" ] || [ ! -f "$ROOT/../../shared/corpus-external/$REAL_NAME" ] || REAL="$ROOT/../../shared/corpus-external/$REAL_NAME"
TIME=/usr/bin/time

need() { command -v "$1" >/dev/null 2>&1; }
need "$TIME" || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }

cargo build --release -q -p analyzer-cli -p benches --bin nodemortem --bin gen
mkdir -p "$DATA"
gen() { # gen FILE ARGS…: generate FILE unless present
    local f="$1"; shift
    [ -s "$f" ] || { echo "generating $(basename "$f") …" >&2; "$GEN" "$@" -o "$f.tmp" && mv "$f.tmp" "$f"; }
}
want() { [ "$ONLY" = all ] || [[ ",$ONLY," == *",$1,"* ]]; }

# run1 LABEL CMD…: one timed run; appends "seconds rss_kb" to $DATA/.runs/LABEL.
run1() {
    local label="$1"; shift
    mkdir -p "$DATA/.runs"
    "$TIME" -f "%e %M" -o "$DATA/.runs/.last" "$@" >/dev/null 2>"$DATA/.runs/.err" || true
    tail -n 1 "$DATA/.runs/.last" >>"$DATA/.runs/$label"
}
median() { # median COLUMN LABEL
    awk -v c="$1" '{print $c}' "$DATA/.runs/$2" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
# pair A_LABEL "A_CMD" B_LABEL "B_CMD": RUNS alternating runs of each.
pair() {
    local la="$1" ca="$2" lb="$3" cb="$4"
    rm -f "$DATA/.runs/$la" "$DATA/.runs/$lb"
    for _ in $(seq "$RUNS"); do
        run1 "$la" bash -c "$ca"
        run1 "$lb" bash -c "$cb"
    done
}
warm() { cat "$@" >/dev/null; }
row() { printf '%-44s %s\n' "$1" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
gbs() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f GB/s", n / s / 1e9; else print "n/a" }'; }
size() { stat -c %s "$1"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }

echo "nodemortem compare — $(date -u +%Y-%m-%d) — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) — runs: $RUNS (medians)"
echo

if want logs || want linear; then
    gen "$DATA/logs-1G.log" logs --size 1G
    gen "$DATA/logs-100M.log" logs --size 100M
    gen "$DATA/literals.txt" literals
fi

if want logs; then
    f="$DATA/logs-1G.log"; warm "$f"
    if need rg; then
        pair nm-logs "'$NM' analyze '$f' --format json" rg-logs "rg -c -F -f '$DATA/literals.txt' '$f'"
        t=$(median 1 nm-logs); r=$(median 1 rg-logs)
        row "plain logs 1 GiB: analyze" "${t} s, $(gbs "$(size "$f")" "$t"), peak $(mb "$(median 2 nm-logs)")"
        row "plain logs 1 GiB: rg -c -F (literals)" "${r} s, peak $(mb "$(median 2 rg-logs)")"
        row "  ratio analyze / rg (target <= 1.5)" "$(ratio "$t" "$r")"
    else
        echo "rg not installed: skipping the rg comparison (apt-get install ripgrep)"
    fi
    echo
fi

if want linear; then
    a="$DATA/logs-100M.log"; b="$DATA/logs-1G.log"; warm "$a" "$b"
    pair nm-100M "'$NM' analyze '$a' --format json" nm-1G "'$NM' analyze '$b' --format json"
    ta=$(median 1 nm-100M); tb=$(median 1 nm-1G)
    row "linear: 100 MiB / 1 GiB" "${ta} s / ${tb} s"
    row "  time ratio for 10x input (target <= 11)" "$(ratio "$tb" "$ta")"
    echo
fi

if want xz || want rss; then gen "$DATA/sos-1G.tar.xz" sosreport --size 1G --compress xz; fi
if want gz; then gen "$DATA/sos-1G.tar.gz" sosreport --size 1G --compress gz; fi

if want xz || want rss; then
    f="$DATA/sos-1G.tar.xz"; warm "$f"
    pair nm-xz "'$NM' analyze '$f' --format json" xz-floor "xz -dc '$f'"
    t=$(median 1 nm-xz); r=$(median 1 xz-floor)
    row "sosreport 1 GiB .tar.xz: analyze" "${t} s, peak $(mb "$(median 2 nm-xz)")"
    row "sosreport 1 GiB .tar.xz: xz -dc" "${r} s"
    row "  ratio (target <= 1.3)" "$(ratio "$t" "$r")"
    row "  peak RSS (target <= 512 MB)" "$(mb "$(median 2 nm-xz)")"
    echo
fi

if want gz; then
    f="$DATA/sos-1G.tar.gz"; warm "$f"
    pair nm-gz "'$NM' analyze '$f' --format json" gz-floor "gzip -dc '$f'"
    t=$(median 1 nm-gz); r=$(median 1 gz-floor)
    row "sosreport 1 GiB .tar.gz: analyze" "${t} s, peak $(mb "$(median 2 nm-gz)")"
    row "sosreport 1 GiB .tar.gz: gzip -dc" "${r} s"
    row "  ratio (target <= 1.3)" "$(ratio "$t" "$r")"
    echo
fi

if want real; then
    if [ ! -f "$REAL" ]; then
        echo "real sosreport not found at $REAL: skipped"
    elif need hotsos; then
        warm "$REAL"
        pair nm-real "'$NM' analyze '$REAL' --format json" hotsos-real "hotsos --short '$REAL'"
        t=$(median 1 nm-real); r=$(median 1 hotsos-real)
        row "real sosreport (57 MiB .tar.xz): analyze" "${t} s, peak $(mb "$(median 2 nm-real)")"
        row "real sosreport: hotsos --short" "${r} s, peak $(mb "$(median 2 hotsos-real)")"
        row "  speed-up (target >= 18)" "$(ratio "$r" "$t")"
    else
        rm -f "$DATA/.runs/nm-real"
        for _ in $(seq "$RUNS"); do run1 nm-real "$NM" analyze "$REAL" --format json; done
        row "real sosreport: analyze" "$(median 1 nm-real) s (hotsos not installed: pip install hotsos)"
    fi
    echo
fi

if want locks; then
    # Lock analysis: a wait chain and a lock cycle of 10k and 100k goroutines (gen locks).
    for s in chain cycle; do
        gen "$DATA/$s-10k.log" locks --shape "$s" --goroutines 10000
        gen "$DATA/$s-100k.log" locks --shape "$s" --goroutines 100000
        a="$DATA/$s-10k.log"; b="$DATA/$s-100k.log"; warm "$a" "$b"
        pair "nm-$s-10k" "'$NM' analyze '$a' --format json" "nm-$s-100k" "'$NM' analyze '$b' --format json"
        ta=$(median 1 "nm-$s-10k"); tb=$(median 1 "nm-$s-100k")
        row "lock $s 10k / 100k goroutines: analyze" "${ta} s / ${tb} s, peak $(mb "$(median 2 "nm-$s-100k")")"
        row "  time ratio for 10x goroutines (target <= 11)" "$(ratio "$tb" "$ta")"
    done
    echo
fi

if want dump; then
    gen "$DATA/dump-500k.log" dump --goroutines 500000
    f="$DATA/dump-500k.log"; warm "$f"
    rm -f "$DATA/.runs/nm-dump"
    for _ in $(seq "$RUNS"); do run1 nm-dump taskset -c 0 "$NM" stacks "$f" --format json; done
    t=$(median 1 nm-dump)
    row "goroutine dump 500k ($(( $(size "$f") / 1000000 )) MB), 1 core: stacks" "${t} s, $(gbs "$(size "$f")" "$t") (target >= 1)"
    row "  peak RSS / dump size (target <= 1.3)" "$(mb "$(median 2 nm-dump)"), $(awk -v k="$(median 2 nm-dump)" -v s="$(size "$f")" 'BEGIN { printf "%.2f", k * 1024 / s }')"
    echo
fi
