#!/usr/bin/env bash
# Restarts every node of a local cluster (ops/local-cluster.sh) one at a time, without losing a
# claim: for each node, in order,
#   1. if it leads, transfer leadership to a caught-up member and wait until another node leads;
#   2. stop it (SIGTERM, by the PID recorded in its pid file) and wait for the process to exit;
#   3. start it again with exactly the command line it ran with (read from /proc/PID/cmdline, so
#      an upgraded build in the same place is what starts: this is also the upgrade procedure);
#   4. wait until its /readyz answers 200 and it has applied the commit index the cluster had
#      reached before it stopped (caught up), then go on to the next node.
# A quorum stays up throughout (only one node is ever down), and clients with several endpoints
# fail over. Stops at the first node that does not come back, leaving the rest untouched.
#
#   ops/rolling-restart.sh            run dir $IPAM_RUN_DIR (default runs/local-cluster)
# Environment: IPAM_TOKEN (bearer token, when auth is on), IPAM_RESTART_TIMEOUT_S (per step, 120).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_dir="${IPAM_RUN_DIR:-$root/runs/local-cluster}"
timeout_s="${IPAM_RESTART_TIMEOUT_S:-120}"
auth=()
[[ -n "${IPAM_TOKEN:-}" ]] && auth=(-H "Authorization: Bearer $IPAM_TOKEN")

log() { echo "rolling-restart: $(date -u +%H:%M:%S) $*"; }
fail() { echo "rolling-restart: $*" >&2; exit 1; }

alive() { # pid -> true if that pid is an ipamd
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'dev.ipam.server.Main'
}

arg_of() { # pid flag -> the value following flag on that process's command line
  tr '\0' '\n' < "/proc/$1/cmdline" | awk -v flag="$2" 'found { print; exit } $0 == flag { found = 1 }'
}

cluster_json() { # http address -> /admin/cluster body (empty when unreachable)
  curl -s -m 3 "${auth[@]}" "http://$1/admin/cluster" || true
}

json_field() { # json field -> first value of "field" (string or number)
  sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\)\"\{0,1\}[,}].*/\1/p" <<< "$1" | head -1
}

ready_code() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$1/readyz" || true
}

member_addresses() { # json -> "id=httpAddress" per member
  grep -o '"id":"[^"]*","raftAddress":"[^"]*","httpAddress":"[^"]*"' <<< "$1" \
    | sed 's/"id":"\([^"]*\)","raftAddress":"[^"]*","httpAddress":"\([^"]*\)"/\1=\2/'
}

wait_until() { # description, then a command; polls every 0.3 s up to timeout_s
  local what="$1"; shift
  local deadline=$((SECONDS + timeout_s))
  until "$@"; do
    (( SECONDS < deadline )) || fail "timed out after ${timeout_s}s waiting for $what"
    sleep 0.3
  done
}

leader_is_not() { # http address, node id -> true when a leader other than id is known there
  local leader
  leader="$(json_field "$(cluster_json "$1")" leaderId)"
  [[ -n "$leader" && "$leader" != "null" && "$leader" != "$2" ]]
}

caught_up() { # http address, index -> true when ready and applied >= index
  [[ "$(ready_code "$1")" == "200" ]] || return 1
  local applied
  applied="$(json_field "$(cluster_json "$1")" appliedIndex)"
  [[ -n "$applied" ]] && (( applied >= $2 ))
}

exited() { ! kill -0 "$1" 2>/dev/null; }

shopt -s nullglob
pid_files=("$run_dir"/*.pid)
(( ${#pid_files[@]} > 0 )) || fail "no pid files in $run_dir; start a cluster with ops/local-cluster.sh up"
for f in "${pid_files[@]}"; do
  alive "$(cat "$f")" || fail "$(basename "$f" .pid) (pid $(cat "$f")) is not running; fix the cluster before a rolling restart"
done
(( ${#pid_files[@]} >= 3 )) || log "warning: ${#pid_files[@]} node(s): with fewer than 3, a restart loses quorum for a while"

restarted=0
for f in "${pid_files[@]}"; do
  name="$(basename "$f" .pid)"
  pid="$(cat "$f")"
  http="$(arg_of "$pid" --http-address)"
  id="$(arg_of "$pid" --node-id)"
  [[ -n "$http" && -n "$id" ]] || fail "$name: cannot read --node-id/--http-address from pid $pid's command line"
  status="$(cluster_json "$http")"
  leader="$(json_field "$status" leaderId)"
  if [[ "$leader" == "$id" ]]; then
    commit="$(json_field "$status" commitIndex)"
    target=""
    while IFS='=' read -r member address; do
      [[ "$member" == "$id" || -z "$member" ]] && continue
      if caught_up "$address" "$commit"; then target="$member"; break; fi
    done < <(member_addresses "$status")
    [[ -n "$target" ]] || fail "$id leads and no other member is ready and caught up to $commit"
    log "$id leads: transferring leadership to $target"
    curl -s -m 30 -o /dev/null -X POST "${auth[@]}" -H 'Content-Type: application/json' \
      -d "{\"id\":\"$target\"}" "http://$http/admin/cluster/leader" || true
    wait_until "a leader other than $id" leader_is_not "$http" "$id"
  fi
  commit="$(json_field "$(cluster_json "$http")" commitIndex)"
  mapfile -d '' command < "/proc/$pid/cmdline"
  cwd="$(readlink "/proc/$pid/cwd")"
  log "$id: stopping pid $pid (commit index $commit)"
  kill "$pid"
  wait_until "pid $pid to exit" exited "$pid"
  (cd "$cwd" || exit 1
   nohup "${command[@]}" >> "$run_dir/$name/out.log" 2>> "$run_dir/$name/err.log" < /dev/null &
   echo $! > "$f")
  log "$id: started again as pid $(cat "$f"); waiting until ready and applied >= $commit"
  wait_until "$id to be ready and caught up" caught_up "$http" "$commit"
  alive "$(cat "$f")" || fail "$id exited after restart; see $run_dir/$name/err.log"
  restarted=$((restarted + 1))
  log "$id: ready and caught up"
done
log "restarted $restarted node(s)"
