#!/usr/bin/env bash
# Starts, stops and shows a local ipamd cluster on loopback.
#   ops/local-cluster.sh up [-n N] [-- IPAMD_FLAGS...]
#                                      start N nodes (default 3), wait until each /readyz answers 200;
#                                      flags after -- go to every ipamd (e.g. -- --batch-linger-us 1000)
#   ops/local-cluster.sh status        show each node: pid, addresses, readiness
#   ops/local-cluster.sh down          stop the nodes this script started (by their recorded PIDs)
# Node i listens on 127.0.0.1:$((RAFT_PORT_BASE+i)) (Raft) and 127.0.0.1:$((HTTP_PORT_BASE+i)) (HTTP).
# Data and logs live under $IPAM_RUN_DIR (default runs/local-cluster); `down` keeps them, so `up`
# again restarts the same cluster; remove the directory for a fresh one.
# Build first: mvn -o -q -pl server -am package -DskipTests
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_dir="${IPAM_RUN_DIR:-$root/runs/local-cluster}"
raft_base="${IPAM_RAFT_PORT_BASE:-9860}"
http_base="${IPAM_HTTP_PORT_BASE:-8080}"
ready_timeout_s="${IPAM_READY_TIMEOUT_S:-90}"
nodes_max=9

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

command="${1:-}"
[[ -n "$command" ]] || usage
shift
count=3
while getopts "n:" opt; do
  case "$opt" in
    n) count="$OPTARG" ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1)) # getopts stops at "--" and consumes it: what is left goes to ipamd
if [[ "$command" != up && $# -gt 0 ]]; then
  usage
fi
if ! [[ "$count" =~ ^[0-9]+$ ]] || (( count < 1 || count > nodes_max )); then
  echo "local-cluster: -n $count: use 1..$nodes_max" >&2
  exit 2
fi

alive() { # pid -> true if that pid is an ipamd we started
  local pid="$1"
  # Until bin/ipamd execs java, the pid runs the script: without 'bin/ipamd' here, a check in that
  # window took a starting node for one that had exited (1 start in 10 on a busy box).
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null \
    | grep -Eq 'dev\.ipam\.server\.Main|bin/ipamd '
}

ready_code() { # http address -> HTTP status of /readyz (000 when unreachable)
  curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$1/readyz" || true
}

port_in_use() { # port -> true if something accepts connections on 127.0.0.1:port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pid_files() {
  ls "$run_dir"/*.pid 2>/dev/null || true
}

up() {
  mkdir -p "$run_dir"
  for f in $(pid_files); do
    if alive "$(cat "$f")"; then
      echo "local-cluster: already running ($(basename "$f" .pid), pid $(cat "$f")); run: $0 down" >&2
      exit 1
    fi
    rm -f "$f"
  done
  local peers=""
  for i in $(seq 1 "$count"); do
    for port in $((raft_base + i)) $((http_base + i)); do
      if port_in_use "$port"; then
        echo "local-cluster: port $port is in use; stop what holds it or set IPAM_RAFT_PORT_BASE/IPAM_HTTP_PORT_BASE" >&2
        exit 1
      fi
    done
    peers+="${peers:+,}n$i=127.0.0.1:$((raft_base + i))=127.0.0.1:$((http_base + i))"
  done
  for i in $(seq 1 "$count"); do
    mkdir -p "$run_dir/n$i"
    # A local development cluster: anonymous unless a token file is passed (ipamd refuses a multi-node
    # start with neither).
    local auth=(--auth-anonymous true)
    [[ " $* " == *" --auth-tokens-file"* ]] && auth=()
    # The JVM options are bin/ipamd's (a 1 GiB heap) unless IPAMD_JAVA_OPTS is set. With 512 MiB, at
    # c=256 the leader held ~200 MiB live (Ratis' cached log entries most of it) and collected fully
    # every 7 s; 1 GiB took GC CPU from 24-25 s to 15-16 s per bench-cluster run (ops/README.md).
    nohup "$root/bin/ipamd" --node-id "n$i" \
        --raft-address "127.0.0.1:$((raft_base + i))" --http-address "127.0.0.1:$((http_base + i))" \
        --peers "$peers" --data-dir "$run_dir/n$i/data" "${auth[@]}" "$@" \
        > "$run_dir/n$i/out.log" 2> "$run_dir/n$i/err.log" < /dev/null &
    echo $! > "$run_dir/n$i.pid"
  done
  local deadline=$((SECONDS + ready_timeout_s))
  for i in $(seq 1 "$count"); do
    local address="127.0.0.1:$((http_base + i))"
    until [[ "$(ready_code "$address")" == "200" ]] && alive "$(cat "$run_dir/n$i.pid")"; do
      if ! alive "$(cat "$run_dir/n$i.pid")"; then
        echo "local-cluster: n$i exited; the end of $run_dir/n$i/err.log and out.log:" >&2
        tail -5 "$run_dir/n$i/err.log" >&2
        tail -5 "$run_dir/n$i/out.log" >&2
        exit 1
      fi
      if (( SECONDS > deadline )); then
        echo "local-cluster: n$i not ready after ${ready_timeout_s}s; see $run_dir/n$i/err.log" >&2
        exit 1
      fi
      sleep 0.3
    done
  done
  status
}

status() {
  local found=0
  for f in $(pid_files); do
    found=1
    local name pid i
    name="$(basename "$f" .pid)"
    pid="$(cat "$f")"
    i="${name#n}"
    local state="stopped"
    if alive "$pid"; then
      state="running"
    fi
    printf '%-4s pid %-7s %-8s raft 127.0.0.1:%-5s http http://127.0.0.1:%-5s readyz %s\n' \
      "$name" "$pid" "$state" "$((raft_base + i))" "$((http_base + i))" "$(ready_code "127.0.0.1:$((http_base + i))")"
  done
  if (( found == 0 )); then
    echo "local-cluster: no nodes recorded in $run_dir"
  fi
}

down() {
  local pids=()
  for f in $(pid_files); do
    local pid
    pid="$(cat "$f")"
    if alive "$pid"; then
      kill "$pid"
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 20))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "local-cluster: pid $pid did not stop; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$run_dir"/*.pid
  echo "local-cluster: stopped ${#pids[@]} node(s); data kept in $run_dir"
}

case "$command" in
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
