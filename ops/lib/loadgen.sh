# Sourced by ops/bench-node.sh, ops/bench-cluster.sh, ops/bench-restart.sh and ops/bench-targets.sh, which set $root (the
# repository).
#
# run_loadgen ARGS... runs bin/ipam-loadgen in the background and waits for it, returning its status;
# while it runs, $loadgen holds its PID (bin/ipam-loadgen execs java; a script that starts it in the
# background itself sets $loadgen). stop_loadgen, called from the script's EXIT trap, stops it: a script stopped by a signal runs that trap, but a foreground child
# would be left running to the end of its --duration-s. bash's "time" counts the generator's CPU
# once wait has reaped it.
loadgen=""
run_loadgen() {
  local status=0
  "$root/bin/ipam-loadgen" "$@" &
  loadgen=$!
  wait "$loadgen" || status=$?
  loadgen=""
  return "$status"
}
stop_loadgen() {
  [[ -z "$loadgen" ]] || kill "$loadgen" 2> /dev/null || true
}
