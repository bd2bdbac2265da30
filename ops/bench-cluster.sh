#!/usr/bin/env bash
# Sustained load on a fresh local cluster, with CPU accounting: the cluster's steady state.
#
#   ops/bench-cluster.sh [WINDOWS] [SECONDS] [CONCURRENCY]     default: 6 windows of 40 s at 256
#
# Starts a fresh cluster of IPAM_BENCH_NODES (3) nodes with ops/local-cluster.sh (its data under
# IPAM_BENCH_DIR, default runs/bench-cluster, wiped first; Raft ports IPAM_RAFT_PORT_BASE+i, default
# 19870+i, HTTP ports IPAM_HTTP_PORT_BASE+i, default 18090+i; per-client rate limit off), then runs
# WINDOWS load windows back to back, each a bin/ipam-loadgen level at CONCURRENCY against the
# leader, in a project of its own. Per window it prints claims/s, p50 and p99 latency, the CPU all
# nodes spent per claim, and that CPU split into the JIT compilers, storage (RocksDB's flush and
# compaction threads and the key-filter builds) and the rest (a thread that ended during the window
# counts in the rest); then the load generator's own CPU per claim, its JVM's start-up included
# (it shares the cores: once they are saturated, claims/s is about cores x 1e6 / (nodes' +
# generator's us per claim)); then the first node's database size. Then each node's write stages over
# all windows (ipam_write_stage_seconds, ops/lib/stages.sh: the leader takes the writes and counts
# their commit wait, every node its applies). Last, RocksDB's compaction per
# column family over the whole run on the first node, and each other node's total
# (ops/rocksdb-compactions.sh).
# Background work lags: a window's storage CPU is partly earlier windows' writes. On a 2-core
# machine three JVMs compile for minutes (the first window's JIT share is the largest), so read
# the later windows for the steady state. IPAMD_JAVA_OPTS is passed on, and IPAMD_EXTRA_ARGS adds
# ipamd flags (as in ops/bench-node.sh). Stops the nodes and the load generator it started, also
# when it is stopped by a signal (Ctrl-C, kill).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
windows="${1:-6}"
seconds="${2:-40}"
concurrency="${3:-256}"
nodes="${IPAM_BENCH_NODES:-3}"
# shellcheck source=ops/lib/args.sh
. "$root/ops/lib/args.sh"
require_positive bench-cluster WINDOWS "$windows"
require_positive bench-cluster SECONDS "$seconds"
require_positive bench-cluster CONCURRENCY "$concurrency"
require_positive bench-cluster IPAM_BENCH_NODES "$nodes"
export IPAM_RUN_DIR="${IPAM_BENCH_DIR:-$root/runs/bench-cluster}"
export IPAM_RAFT_PORT_BASE="${IPAM_RAFT_PORT_BASE:-19870}"
export IPAM_HTTP_PORT_BASE="${IPAM_HTTP_PORT_BASE:-18090}"
rm -rf "$IPAM_RUN_DIR" && mkdir -p "$IPAM_RUN_DIR"
# shellcheck source=ops/lib/loadgen.sh
. "$root/ops/lib/loadgen.sh"
# shellcheck source=ops/lib/stages.sh
. "$root/ops/lib/stages.sh"
trap 'stop_loadgen
  "$root/ops/local-cluster.sh" down > /dev/null 2>&1 || true' EXIT
# shellcheck disable=SC2086 # IPAMD_EXTRA_ARGS is a list of flags
"$root/ops/local-cluster.sh" up -n "$nodes" -- --http-requests-per-second 0 ${IPAMD_EXTRA_ARGS:-} > "$IPAM_RUN_DIR/up.log" 2>&1 \
  || { cat "$IPAM_RUN_DIR/up.log" >&2; exit 1; }
pids=()
for i in $(seq 1 "$nodes"); do
  pids+=("$(cat "$IPAM_RUN_DIR/n$i.pid")")
done
hz=$(getconf CLK_TCK)
echo "bench-cluster: $nodes node(s), pids ${pids[*]}, HTTP from 127.0.0.1:$((IPAM_HTTP_PORT_BASE + 1)); $windows window(s) of $seconds s at concurrency $concurrency"

# Every thread of every node, "pid/tid class ticks" (class: jit, storage or other), in $1.
thread_ticks() {
  for pid in "${pids[@]}"; do
    for task in /proc/"$pid"/task/*; do
      # A thread may end between the listing and the read.
      name=$(cat "$task/comm" 2> /dev/null) || continue
      used=$(awk '{print $14 + $15}' "$task/stat" 2> /dev/null) || continue
      case "$name" in
        "C1 CompilerThre"* | "C2 CompilerThre"*) class=jit ;;
        rocksdb:* | rocks-key-filter) class=storage ;;
        *) class=other ;;
      esac
      echo "$pid/${task##*/} $class $used"
    done
  done > "$1"
}
# The nodes' CPU ticks, threads that ended included.
process_ticks() {
  for pid in "${pids[@]}"; do awk '{print $14 + $15}' "/proc/$pid/stat"; done | awk '{t += $1} END {print t + 0}'
}

printf '%-7s %9s %9s %8s %8s %14s %8s %8s %8s %10s %8s\n' window claims claims/s p50_ms p99_ms cpu_us/claim jit storage other loadgen_us \
  db_MB
# bash's "time" reports the CPU (user, system seconds) of what it ran, children included.
TIMEFORMAT='%U %S'
scrape_stages() {
  for i in $(seq 1 "$nodes"); do
    scrape_metrics "$((IPAM_HTTP_PORT_BASE + i))" "$IPAM_RUN_DIR/n$i.metrics.$1"
  done
}
scrape_stages before
for w in $(seq 1 "$windows"); do
  thread_ticks "$IPAM_RUN_DIR/threads.before"
  total0=$(process_ticks)
  if ! { time run_loadgen --server "http://127.0.0.1:$((IPAM_HTTP_PORT_BASE + 1))" --project "window$w" \
      --concurrency "$concurrency" --duration-s "$seconds" --claims-max 10000000 > "$IPAM_RUN_DIR/loadgen.out" 2>&1; } \
      2> "$IPAM_RUN_DIR/loadgen.time"; then
    cat "$IPAM_RUN_DIR/loadgen.out" >&2; echo "bench-cluster: the load generator failed in window $w" >&2; exit 1
  fi
  out=$(cat "$IPAM_RUN_DIR/loadgen.out")
  loadgen_s=$(awk '{print $1 + $2}' "$IPAM_RUN_DIR/loadgen.time")
  total1=$(process_ticks)
  thread_ticks "$IPAM_RUN_DIR/threads.after"
  # Per thread, what it spent in the window; a thread that ended in the window counts as "other".
  read -r jit storage <<< "$(awk 'NR == FNR {before[$1] = $3; next}
    {d = $3 - before[$1]; if ($2 == "jit") j += d; else if ($2 == "storage") s += d} END {print j + 0, s + 0}' \
    "$IPAM_RUN_DIR/threads.before" "$IPAM_RUN_DIR/threads.after")"
  row=$(awk -v c="$concurrency" '$1 == c && NF == 7 {print $2, $3, $4, $5}' <<< "$out")
  [[ -n "$row" ]] || { echo "$out" >&2; echo "bench-cluster: no result line for window $w" >&2; exit 1; }
  read -r claims rate p50 p99 <<< "$row"
  db_mb=$(du -sm "$IPAM_RUN_DIR/n1/data" | cut -f1)
  awk -v w="$w" -v n="$claims" -v r="$rate" -v p50="$p50" -v p99="$p99" -v hz="$hz" -v db="$db_mb" \
      -v t="$((total1 - total0))" -v j="$jit" -v s="$storage" -v g="$loadgen_s" 'BEGIN {
    us = n > 0 ? 1e6 / hz / n : 0
    gen = n > 0 ? g * 1e6 / n : 0
    printf "%-7s %9d %9d %8s %8s %14.0f %8.0f %8.0f %8.0f %10.0f %8d\n", w, n, r, p50, p99, t * us, j * us, s * us, (t - j - s) * us,
      gen, db }'
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); CPU per claim is the sum over $nodes nodes (us); data in $IPAM_RUN_DIR"
# Where the windows' writes spent their time (ipam_write_stage_seconds): the node that took them (the
# load generator sends to the leader) counts queued, replied and answered, the leader committed, and
# every node its applies.
scrape_stages after
for i in $(seq 1 "$nodes"); do
  echo "n$i's write stages over all windows:"
  write_stages "$IPAM_RUN_DIR/n$i.metrics.before" "$IPAM_RUN_DIR/n$i.metrics.after"
done
# What the storage column paid for: RocksDB's compaction per column family over the run, on the first
# node (the nodes hold the same data and compact alike), then every node's total.
"$root/ops/rocksdb-compactions.sh" "$IPAM_RUN_DIR/n1/data/db" || true
for i in $(seq 2 "$nodes"); do
  echo "n$i: $("$root/ops/rocksdb-compactions.sh" "$IPAM_RUN_DIR/n$i/data/db" 2>&1 | tail -1 | sed 's/^ *//')"
done
