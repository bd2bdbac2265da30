#!/usr/bin/env bash
# How long a node killed under load takes to serve again: the cost of ipamd's recovery path.
#
#   ops/bench-restart.sh [SECONDS] [CONCURRENCY]        default: 60 s of load at 64
#
# Starts a fresh one-node ipamd (Raft 127.0.0.1:19861, HTTP 127.0.0.1:18081, or IPAM_BENCH_RAFT_PORT
# and IPAM_BENCH_HTTP_PORT; data under IPAM_BENCH_DIR, default runs/bench-restart, wiped first),
# loads it with bin/ipam-loadgen for SECONDS at CONCURRENCY, and SIGKILLs it while the load runs. It
# then restarts ipamd on the same data directory and prints:
#   - the applied index before the kill and the index the reopened database held ("live state ...
#     applied through"): the entries between them are replayed from the Raft log, because ipamd's
#     RocksDB has no write-ahead log of its own (at most one snapshot interval, snapshot-auto-entries);
#   - the seconds from the restart to /readyz answering 200 (the JVM's start, RocksDB's open, the
#     Raft log's load, the election and the replay), and the applied index then, which must not be
#     behind the one before the kill;
#   - whether every claim the load generator saw succeed is still there (pool capacity.allocated
#     against the generator's count; claims in flight at the kill may add to it, never subtract).
# IPAMD_EXTRA_ARGS adds ipamd flags to both starts (e.g. --snapshot-auto-entries 40000). Stops only
# the ipamd it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
concurrency="${2:-64}"
# shellcheck source=ops/lib/args.sh
. "$root/ops/lib/args.sh"
require_positive bench-restart SECONDS "$seconds"
require_positive bench-restart CONCURRENCY "$concurrency"
dir="${IPAM_BENCH_DIR:-$root/runs/bench-restart}"
raft_port="${IPAM_BENCH_RAFT_PORT:-19861}"
http_port="${IPAM_BENCH_HTTP_PORT:-18081}"
http="127.0.0.1:$http_port"
rm -rf "$dir" && mkdir -p "$dir"
pid=""
# shellcheck source=ops/lib/loadgen.sh
. "$root/ops/lib/loadgen.sh"
cleanup() {
  stop_loadgen
  [[ -n "$pid" ]] && { kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; }
}
trap cleanup EXIT

start() { # $1: log file
  # shellcheck disable=SC2086
  "$root/bin/ipamd" --node-id n1 --raft-address 127.0.0.1:$raft_port --http-address "$http" \
      --data-dir "$dir/data" --http-requests-per-second 0 ${IPAMD_EXTRA_ARGS:-} > "$1" 2>&1 &
  pid=$!
}
# Waits (at most 300 s) for /readyz; prints the seconds it took.
await_ready() {
  local t0 deadline
  t0=$(date +%s.%N)
  deadline=$(( $(date +%s) + 300 ))
  until curl -sf "$http/readyz" > /dev/null; do
    kill -0 "$pid" 2> /dev/null || { echo "bench-restart: ipamd exited; see $dir" >&2; exit 1; }
    (( $(date +%s) < deadline )) || { echo "bench-restart: not ready after 300 s; see $dir" >&2; exit 1; }
    sleep 0.05
  done
  awk -v now="$(date +%s.%N)" -v t0="$t0" 'BEGIN {printf "%.2f", now - t0}'
}
applied_index() {
  curl -sf "$http/admin/cluster" | grep -o '"appliedIndex" *: *[0-9]*' | head -1 | grep -o '[0-9]*$'
}

start "$dir/ipamd-1.log"
await_ready > /dev/null
"$root/bin/ipam-loadgen" --server "http://$http" --project restart --concurrency "$concurrency" \
    --duration-s $((seconds + 60)) --claims-max 10000000 > "$dir/loadgen.out" 2>&1 &
loadgen=$!
sleep "$seconds"
before=$(applied_index || echo "?")
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
kill "$loadgen" 2> /dev/null || true
wait "$loadgen" 2> /dev/null || true
loadgen=""
start "$dir/ipamd-2.log"
ready_s=$(await_ready)
reopened=$(grep -o 'applied through AppliedState\[term=[0-9]*, index=[0-9]*' "$dir/ipamd-2.log" | grep -o '[0-9]*$' | head -1 || true)
after=$(applied_index || echo "?")
pool=$(curl -sf "$http/apis/resourcemanager.miloapis.com/v1alpha1/projects/restart/control-plane/apis/ipam.miloapis.com/v1alpha1/ippools/loadgen-pool" || true)
allocated=$(echo "$pool" | grep -o '"allocated" *: *"*[0-9]*' | head -1 | grep -o '[0-9]*$' || true)
# The generator's last progress line before the kill: claims it had seen succeed by then (a lower bound).
succeeded=$(grep -o 'claims *[0-9]*' "$dir/loadgen.out" | tail -1 | grep -o '[0-9]*$' || true)
echo "bench-restart: $seconds s of load at concurrency $concurrency, then kill -9 (data in $dir)"
echo "applied index at the kill:        ${before:-?}"
echo "database reopened at index:       ${reopened:-?} (entries above it replayed from the Raft log)"
echo "ready again after:                $ready_s s (applied index then ${after:-?})"
if [[ "$before" =~ ^[0-9]+$ && "$reopened" =~ ^[0-9]+$ ]]; then
  echo "replayed:                         $((before - reopened)) entries or more (each holds up to batch-commands-max claims)"
fi
if [[ "$before" =~ ^[0-9]+$ && "$after" =~ ^[0-9]+$ ]] && (( after < before )); then
  echo "bench-restart: /readyz said ready with $after applied, behind the $before applied before the kill" >&2
  exit 1
fi
echo "pool capacity.allocated:          ${allocated:-?} (the load generator had seen at least ${succeeded:-?} claims succeed)"
if [[ "$allocated" =~ ^[0-9]+$ && "$succeeded" =~ ^[0-9]+$ ]] && (( allocated < succeeded )); then
  echo "bench-restart: claims lost: the pool holds $allocated blocks, fewer than the $succeeded answered" >&2
  exit 1
fi
