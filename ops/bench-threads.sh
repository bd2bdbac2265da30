#!/usr/bin/env bash
# Per-thread CPU of one fresh ipamd during a load-generator run: which threads spend the CPU.
#
#   ops/bench-threads.sh [CONCURRENCY] [SECONDS]      e.g. ops/bench-threads.sh 64 40
#
# Starts ipamd (Raft 127.0.0.1:19971, HTTP 127.0.0.1:18191 unless IPAM_BENCH_RAFT_PORT /
# IPAM_BENCH_HTTP_PORT say otherwise; data in a fresh temporary directory, deleted after), warms it
# for IPAM_BENCH_WARM_S (6) seconds at c=64, reads every thread's CPU ticks from /proc/PID/task
# before and after the measured run, and prints CPU seconds and share of a core per thread group
# (digits in thread names folded to #; Linux keeps the first 15 characters of a name).
# IPAMD_JAVA_OPTS is passed on. Stops only the ipamd it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
level="${1:-64}"
seconds="${2:-40}"
raft_port="${IPAM_BENCH_RAFT_PORT:-19971}"
http_port="${IPAM_BENCH_HTTP_PORT:-18191}"
dir="$(mktemp -d -t ipam-bench-threads.XXXXXX)"
"$root/bin/ipamd" --node-id n1 --raft-address 127.0.0.1:$raft_port --http-address 127.0.0.1:$http_port \
    --data-dir "$dir/data" --http-requests-per-second 0 > "$dir/ipamd.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 200); do
  curl -sf 127.0.0.1:$http_port/readyz > /dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "ipamd exited:" >&2; cat "$dir/ipamd.log" >&2; exit 1; }
  sleep 0.3
done
"$root/bin/ipam-loadgen" --server http://127.0.0.1:$http_port --project warm --concurrency 64 \
    --duration-s "${IPAM_BENCH_WARM_S:-6}" > /dev/null 2>&1
snapshot() {
  for t in /proc/$pid/task/*; do
    echo "$(tr ' ' _ < "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{gsub(/[0-9]+/, "#", $1); a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
snapshot > "$dir/before"
"$root/bin/ipam-loadgen" --server http://127.0.0.1:$http_port --concurrency "$level" --duration-s "$seconds" 2>&1 \
    | grep -A1 "^concurrency"
snapshot > "$dir/after"
hz=$(getconf CLK_TCK)
join "$dir/before" "$dir/after" | awk -v s="$seconds" -v hz="$hz" \
    '{d = ($3 - $2) / hz; if (d > 0) printf "%-18s %7.2f s  %5.1f%% of a core\n", $1, d, 100 * d / s}' | sort -k2 -nr
