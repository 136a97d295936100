#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs from the project's incident bundles and rule
# files. Idempotent; the corpus directories are not committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
targets="records journal syslog dmesg klog logrus goroutine locks host_ps host_pstree host_netns host_cgroup host_runtime host_versions clock rules bundle inventory"
for t in $targets; do mkdir -p "$here/corpus/$t"; done
n=0
# Every file of the incident bundles under 256 KiB seeds every parser target (the parsers see
# each other's formats in real bundles too, through sniffing mistakes and odd names).
find "$root/corpus" "$root/analyzer-core/tests" -type f -size -256k ! -name '*.rs' ! -name '*.md' |
while read -r f; do
    n=$((n + 1))
    for t in $targets; do
        case $t in rules) continue ;; esac
        cp "$f" "$here/corpus/$t/seed-$n"
    done
done
# The built-in rules seed the rule loader.
for f in "$root"/analyzer-core/src/rules/builtin/*.toml; do
    cp "$f" "$here/corpus/rules/$(basename "$f")"
done
# Whole-bundle targets also get small tar.gz bundles of each incident.
for d in "$root"/corpus/*/; do
    name=$(basename "$d")
    tar -C "$d" -czf "$here/corpus/bundle/$name.tar.gz" . 2>/dev/null || true
    cp "$here/corpus/bundle/$name.tar.gz" "$here/corpus/inventory/$name.tar.gz"
done
# Programs of the locks target (see benches/src/lock_graph.rs, Graph::from_program): a cycle
# and a chain of 100 000 goroutines, and a small mix of every part (chain, convoy, RWMutex
# queue, link, extra hold, self-wait) in the three Go frame shapes.
printf '\340\000\000\377\377\001' >"$here/corpus/locks/cycle-100k"
printf '\340\025\000\377\377\000' >"$here/corpus/locks/chain-100k"
printf '\140\033\000\005\000\001\001\020\000\000\002\005\002\013\003\007\000\002\005\003\000\000\004\001\000\000' \
    >"$here/corpus/locks/mix"
for t in $targets; do printf '%s: %s seeds\n' "$t" "$(ls "$here/corpus/$t" | wc -l)"; done
