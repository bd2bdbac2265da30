#!/usr/bin/env bash
# The cluster's performance targets (issue 3), measured the way the README quotes them, in one command.
#
#   ops/bench-targets.sh [ROUNDS]          default: 3 rounds, about 6 minutes each
#   ops/bench-targets.sh --report RESULTS  the table and verdicts again, from a run's results file
#
# Each round runs, in turn:
#   - one node:    ops/bench-node.sh 64 30 after IPAM_BENCH_WARM_S=90 (claims/s at c=64, p99, ipamd's
#                  CPU per claim; target 20,000 claims/s);
#   - three nodes: a fresh ops/local-cluster.sh up -n 3 -- --http-requests-per-second 0, then
#                  bin/ipam-loadgen --warmup-s 60 --concurrency 1,16,64,256,16 --duration-s 20 against
#                  node 1 (targets: 10,000 claims/s at c=256, p99 under 50 ms at c=16), then down.
# Then it prints one row per round, the medians and, per target, whether the median meets it. This
# machine is shared and noisy: rounds of one sitting differ by 10-20%, so read the medians and the
# spread together, and run the script again before trusting a change of a few percent.
#
# Everything a round wrote stays in IPAM_TARGETS_DIR (default runs/bench-targets, wiped first): the
# benchmark outputs (rN-node.out, rN-cluster.out), each node's logs and RocksDB's LOG, so a slow round
# can be explained afterwards. The databases themselves are removed after each round (a round
# writes 1-2 GB).
#
# Shorter runs (tests, smoke checks): IPAM_TARGETS_NODE_WARM_S (90), IPAM_TARGETS_NODE_S (30),
# IPAM_TARGETS_CLUSTER_WARM_S (60), IPAM_TARGETS_CLUSTER_S (20) and IPAM_TARGETS_CLAIMS_MAX
# (10000000, a level's claim cap). Ports: the node takes IPAM_BENCH_RAFT_PORT / IPAM_BENCH_HTTP_PORT
# (ops/bench-node.sh's defaults), the cluster IPAM_RAFT_PORT_BASE+i / IPAM_HTTP_PORT_BASE+i (default
# 19970+i, 18190+i). IPAMD_JAVA_OPTS and IPAMD_EXTRA_ARGS go to every ipamd. Stops the nodes and the
# load generator it started, also when it is stopped by a signal.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Prints the rounds of a results file (one line per round: round, one node's claims/s, p99 and
# us/claim, three nodes' claims/s and p99 at c=256, p99 of the first and second c=16 level), the
# medians (the lower middle value for an even count) and whether each target is met.
report() {
  local results="$1"
  echo
  printf '%-6s %16s %12s %13s %16s %13s %22s\n' round "1 node c=64/s" "p99 ms" "ipamd us/claim" "3 nodes c=256/s" "p99 ms" "3 nodes c=16 p99 ms"
  while read -r r nr np nu cr cp p1 p2; do
    printf '%-6s %16s %12s %13s %16s %13s %22s\n' "$r" "$nr" "$np" "$nu" "$cr" "$cp" "$p1 / $p2"
  done < "$results"
  local node_median cluster_median p99_worst
  node_median=$(median "$results" 2)
  cluster_median=$(median "$results" 5)
  p99_worst=$(awk '{m = ($7 > $8 ? $7 : $8); if (m > w) w = m} END {print w + 0}' "$results")
  echo
  echo "one node, c=64:     median $node_median claims/s (target at least 20000): $(verdict "$node_median" 20000 ge)"
  echo "three nodes, c=256: median $cluster_median claims/s (target at least 10000): $(verdict "$cluster_median" 10000 ge)"
  echo "three nodes, c=16:  worst p99 $p99_worst ms over all rounds (target under 50): $(verdict "$p99_worst" 50 lt)"
}
median() {
  awk -v col="$2" '{print $col}' "$1" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
verdict() { if awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN {exit !(op == "ge" ? a >= b : a < b)}'; then echo met; else echo "not met"; fi; }
if [[ "${1:-}" == "--report" ]]; then
  [[ -f "${2:-}" ]] || { echo "bench-targets: --report needs a results file (IPAM_TARGETS_DIR/results)" >&2; exit 2; }
  report "$2"
  exit 0
fi
rounds="${1:-3}"
node_warm="${IPAM_TARGETS_NODE_WARM_S:-90}"
node_s="${IPAM_TARGETS_NODE_S:-30}"
cluster_warm="${IPAM_TARGETS_CLUSTER_WARM_S:-60}"
cluster_s="${IPAM_TARGETS_CLUSTER_S:-20}"
claims_max="${IPAM_TARGETS_CLAIMS_MAX:-10000000}"
# shellcheck source=ops/lib/args.sh
. "$root/ops/lib/args.sh"
require_positive bench-targets ROUNDS "$rounds"
require_positive bench-targets IPAM_TARGETS_NODE_S "$node_s"
require_positive bench-targets IPAM_TARGETS_CLUSTER_S "$cluster_s"
require_positive bench-targets IPAM_TARGETS_CLAIMS_MAX "$claims_max" 8
require_seconds bench-targets IPAM_TARGETS_NODE_WARM_S "$node_warm"
require_seconds bench-targets IPAM_TARGETS_CLUSTER_WARM_S "$cluster_warm"
out="${IPAM_TARGETS_DIR:-$root/runs/bench-targets}"
rm -rf "$out" && mkdir -p "$out"
export IPAM_RAFT_PORT_BASE="${IPAM_RAFT_PORT_BASE:-19970}"
export IPAM_HTTP_PORT_BASE="${IPAM_HTTP_PORT_BASE:-18190}"
# shellcheck source=ops/lib/loadgen.sh
. "$root/ops/lib/loadgen.sh"
cluster_dir=""
node_bench=""
# ops/bench-node.sh runs in the background so that a signal reaches this trap at once; stopped, it
# stops its own node and load generator.
trap 'stop_loadgen
  [[ -z "$node_bench" ]] || { kill "$node_bench" 2> /dev/null && wait "$node_bench"; } || true
  [[ -z "$cluster_dir" ]] || IPAM_RUN_DIR="$cluster_dir" "$root/ops/local-cluster.sh" down > /dev/null 2>&1 || true' EXIT

# Keeps a data directory's RocksDB LOG (as DIR/rocksdb.LOG) and removes the data.
drop_data() {
  local data="$1" keep="$2"
  [[ -f "$data/db/LOG" ]] && cp "$data/db/LOG" "$keep/rocksdb.LOG"
  rm -rf "$data"
}

# A load generator table's row for a concurrency: "claims/s p99" of its Nth row at that concurrency.
row() {
  awk -v c="$2" -v n="$3" '
    /^concurrency +claims +claims\/s/ { table = 1; next }
    table && $1 == c && ++seen == n { print $3, $5; exit }' "$1"
}

results="$out/results"
: > "$results"
echo "bench-targets: $rounds round(s); outputs in $out"
for r in $(seq 1 "$rounds"); do
  echo "round $r: one node, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  node_dir="$out/r$r-node"
  IPAM_BENCH_DIR="$node_dir" IPAM_BENCH_WARM_S="$node_warm" IPAM_BENCH_CLAIMS_MAX="$claims_max" \
    "$root/ops/bench-node.sh" 64 "$node_s" > "$out/r$r-node.out" 2>&1 &
  node_bench=$!
  wait "$node_bench" || { node_bench=""; tail -20 "$out/r$r-node.out" >&2; echo "bench-targets: ops/bench-node.sh failed in round $r" >&2; exit 1; }
  node_bench=""
  drop_data "$node_dir/data" "$node_dir"
  read -r node_rate node_p99 <<< "$(row "$out/r$r-node.out" 64 1)"
  node_us=$(grep -o '= [0-9]* us/claim' "$out/r$r-node.out" | head -1 | tr -dc '0-9')

  echo "round $r: three nodes, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  cluster_dir="$out/r$r-cluster"
  # shellcheck disable=SC2086 # IPAMD_EXTRA_ARGS is a list of flags
  IPAM_RUN_DIR="$cluster_dir" "$root/ops/local-cluster.sh" up -n 3 -- --http-requests-per-second 0 ${IPAMD_EXTRA_ARGS:-} \
    > "$out/r$r-up.log" 2>&1 || { cat "$out/r$r-up.log" >&2; exit 1; }
  run_loadgen --server "http://127.0.0.1:$((IPAM_HTTP_PORT_BASE + 1))" --warmup-s "$cluster_warm" \
    --concurrency 1,16,64,256,16 --duration-s "$cluster_s" --claims-max "$claims_max" > "$out/r$r-cluster.out" 2>&1 \
    || { tail -20 "$out/r$r-cluster.out" >&2; echo "bench-targets: the load generator failed in round $r" >&2; exit 1; }
  IPAM_RUN_DIR="$cluster_dir" "$root/ops/local-cluster.sh" down > /dev/null 2>&1
  for i in 1 2 3; do drop_data "$cluster_dir/n$i/data" "$cluster_dir/n$i"; done
  cluster_dir=""
  read -r c256_rate c256_p99 <<< "$(row "$out/r$r-cluster.out" 256 1)"
  read -r _ c16_p99_first <<< "$(row "$out/r$r-cluster.out" 16 1)"
  read -r _ c16_p99_second <<< "$(row "$out/r$r-cluster.out" 16 2)"
  for value in "$node_rate" "$node_us" "$c256_rate" "$c16_p99_first" "$c16_p99_second"; do
    [[ -n "$value" ]] || { echo "bench-targets: could not read round $r's figures; see $out/r$r-*.out" >&2; exit 1; }
  done
  echo "$r $node_rate $node_p99 $node_us $c256_rate $c256_p99 $c16_p99_first $c16_p99_second" >> "$results"
done

report "$results"
