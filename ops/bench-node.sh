#!/usr/bin/env bash
# One-node HTTP benchmark with CPU accounting, for before/after comparisons on a shared machine.
#
#   ops/bench-node.sh [LEVELS] [SECONDS]        e.g. ops/bench-node.sh 64 10, ops/bench-node.sh 1,16,64,256 10
#
# Starts a fresh ipamd (Raft 127.0.0.1:19861, HTTP 127.0.0.1:18081; IPAM_BENCH_DIR, default
# runs/bench-node, is wiped first), warms the JIT with a separate project for IPAM_BENCH_WARM_S
# (6) seconds at concurrency 64, then runs bin/ipam-loadgen and prints its table, the load average,
# ipamd's CPU seconds during the measured levels and per claim, the load generator's own CPU, and
# ipamd's CPU per thread group over the measured levels (from /proc/PID/task; digits in thread names
# folded to #, Linux keeps a name's first 15 characters), where the measured writes spent their time
# (ipam_write_stage_seconds, ops/lib/stages.sh), then RocksDB's compaction per column family
# since ipamd started, warm-up included (ops/rocksdb-compactions.sh). Use IPAM_BENCH_WARM_S=90 for steady-state
# figures: after 6 s the C2 compiler still takes 20-45% of a core, after 30 s 16%, after 90 s 8-11%.
# IPAMD_JAVA_OPTS is passed on (e.g. -XX:StartFlightRecording=filename=x.jfr,settings=profile);
# The per-client rate limit is off (--http-requests-per-second 0: every client here is 127.0.0.1).
# IPAMD_EXTRA_ARGS adds ipamd flags; IPAM_BENCH_RAFT_PORT / IPAM_BENCH_HTTP_PORT move it off the
# default ports (e.g. when someone else benchmarks at the same time). Stops only the ipamd it started.
# Each level, and the warm-up, runs for its SECONDS: IPAM_BENCH_CLAIMS_MAX (default 10000000, the
# most the load generator takes) is its --claims-max. Until session 10 it was the generator's default
# of 300,000, which at 15,000 claims/s ended a 30 s level after 20 s and a 90 s warm-up after 25 s.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
levels="${1:-64}"
seconds="${2:-10}"
dir="${IPAM_BENCH_DIR:-$root/runs/bench-node}"
claims_max="${IPAM_BENCH_CLAIMS_MAX:-10000000}"
raft_port="${IPAM_BENCH_RAFT_PORT:-19861}"
http_port="${IPAM_BENCH_HTTP_PORT:-18081}"
rm -rf "$dir" && mkdir -p "$dir"
# shellcheck disable=SC2086
"$root/bin/ipamd" --node-id n1 --raft-address 127.0.0.1:$raft_port --http-address 127.0.0.1:$http_port \
    --data-dir "$dir/data" --http-requests-per-second 0 ${IPAMD_EXTRA_ARGS:-} > "$dir/ipamd.log" 2>&1 &
pid=$!
# shellcheck source=ops/lib/loadgen.sh
. "$root/ops/lib/loadgen.sh"
# shellcheck source=ops/lib/stages.sh
. "$root/ops/lib/stages.sh"
trap 'stop_loadgen
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf 127.0.0.1:$http_port/readyz > /dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "ipamd exited; see $dir/ipamd.log" >&2; exit 1; }
  sleep 0.3
done
run_loadgen --server http://127.0.0.1:$http_port --project warm --concurrency 64 \
    --duration-s "${IPAM_BENCH_WARM_S:-6}" --claims-max "$claims_max" > "$dir/warm.out" 2>&1
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# CPU ticks per thread group, "name ticks" sorted by name.
thread_ticks() {
  for t in /proc/$1/task/*; do
    echo "$(tr ' ' _ < "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{gsub(/[0-9]+/, "#", $1); a[$1] += $2} END {for (k in a) print k, a[k]}' | LC_ALL=C sort
}
thread_ticks "$pid" > "$dir/threads.before"
scrape_metrics "$http_port" "$dir/metrics.before"
before=$(ticks "$pid")
sys_before=$(sys_ticks "$pid")
started=$(date +%s.%N)
load=$(cut -d' ' -f1-3 /proc/loadavg)
# bash's "time" reports the CPU (user, system seconds) of what it ran (no /usr/bin/time needed).
TIMEFORMAT='%U %S'
{ time run_loadgen --server http://127.0.0.1:$http_port \
    --concurrency "$levels" --duration-s "$seconds" --claims-max "$claims_max" > "$dir/loadgen.out" 2>&1; } 2> "$dir/loadgen.time"
after=$(ticks "$pid")
sys_after=$(sys_ticks "$pid")
thread_ticks "$pid" > "$dir/threads.after"
scrape_metrics "$http_port" "$dir/metrics.after"
elapsed=$(awk -v now="$(date +%s.%N)" -v t0="$started" 'BEGIN {print now - t0}')
grep -A8 '^concurrency  *claims' "$dir/loadgen.out"
claims=$(awk '/^concurrency  *claims/ {t=1; next} t && NF >= 6 {s += $2} END {print s + 0}' "$dir/loadgen.out")
awk -v b="$before" -v a="$after" -v sb="$sys_before" -v sa="$sys_after" -v hz="$hz" -v c="$claims" -v load="$load" -v lg="$(cat "$dir/loadgen.time")" 'BEGIN {
  split(lg, t, " "); cpu = (a - b) / hz;
  printf "load average at start %s; ipamd CPU %.1f s (%.1f s in the kernel) for %d claims = %.0f us/claim; loadgen CPU %.1f s\n",
    load, cpu, (sa - sb) / hz, c, (c > 0 ? cpu * 1e6 / c : 0), t[1] + t[2] }'
echo "ipamd CPU by thread group over the measured levels ($(printf '%.0f' "$elapsed") s):"
LC_ALL=C join "$dir/threads.before" "$dir/threads.after" | awk -v s="$elapsed" -v hz="$hz" \
    '{d = ($3 - $2) / hz; if (d > 0) printf "  %-18s %7.2f s  %5.1f%% of a core\n", $1, d, 100 * d / s}' | sort -k2 -nr
echo "where the measured levels' writes spent their time (ipam_write_stage_seconds):"
write_stages "$dir/metrics.before" "$dir/metrics.after"
# RocksDB's compaction per column family since ipamd started (the warm-up included).
"$root/ops/rocksdb-compactions.sh" "$dir/data/db" || true
