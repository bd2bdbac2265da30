#!/usr/bin/env bash
# Paired A/B of the in-memory core benchmark on a shared, noisy machine.
#
#   ops/bench-core-ab.sh TREE_A TREE_B [RUNS]      e.g. ops/bench-core-ab.sh /tmp/base . 4
#
# TREE_A and TREE_B are checkouts of this repository whose statemachine module is built with its
# tests (in each: mvn -q -o -pl statemachine -am install -DskipTests -Dmaven.install.skip=true, then
# mvn -q -o -pl statemachine test-compile; a revision goes to its own tree with git worktree add).
# Each run starts both trees' quick ClaimBenchmark (/24 claims at 50% fill, then IPv6) at the same
# time, one JVM pinned to each core, under async-profiler, and swaps the cores every other run, so
# both see the same neighbours. It prints, per run and tree, the benchmark's cpu pairs/s and bytes
# allocated per pair (exact: it does not depend on the load), the samples in the measured loop (the
# same work in both trees, so fewer is cheaper) and each FUNCS pattern's share of them.
#
# In session 18 paired totals moved by up to 15% between runs with nothing changed, so alternate
# several runs and trust shares and bytes per pair more than totals (statemachine/README.md).
#
# Environment: FUNCS (comma-separated substrings of frames, default
# "BytesMap.,Decoded.,Audit.record,Codec."); BENCH_ROUNDS (8) and BENCH_PAIRS (20000) per scenario;
# ASYNC_PROFILER_LIB (a libasyncProfiler.so; default: taken from async-profiler 3.0 in the local Maven
# repository, fetched from Maven Central when missing); AB_OUT (a directory for the profiles,
# default a temporary one, removed at exit). Needs 2 cores and taskset; runs only the JVMs it starts.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tree_a="$(cd "$1" && pwd)"
tree_b="$(cd "$2" && pwd)"
runs="${3:-4}"
funcs="${FUNCS:-BytesMap.,Decoded.,Audit.record,Codec.}"
rounds="${BENCH_ROUNDS:-8}"
pairs="${BENCH_PAIRS:-20000}"
case "$runs" in ''|*[!0-9]*) echo "RUNS must be a number of runs, was $runs" >&2; exit 2 ;; esac
if [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then
  echo "RUNS must be 1-20, was $runs" >&2
  exit 2
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "needs 2 cores (one JVM pinned to each), this machine has $(nproc)" >&2
  exit 1
fi
for tree in "$tree_a" "$tree_b"; do
  if [ ! -d "$tree/statemachine/target/test-classes/dev/ipam/core/bench" ]; then
    echo "$tree: statemachine is not built with its tests; run there:" >&2
    echo "  mvn -q -o -pl statemachine -am install -DskipTests -Dmaven.install.skip=true && mvn -q -o -pl statemachine test-compile" >&2
    exit 1
  fi
done

out="${AB_OUT:-}"
own_out=0
if [ -z "$out" ]; then
  out="$(mktemp -d)"
  own_out=1
fi
mkdir -p "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [ "$own_out" = 1 ]; then
    rm -rf "$out"
  fi
}
trap cleanup EXIT

lib="${ASYNC_PROFILER_LIB:-}"
if [ -z "$lib" ]; then
  jar="$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar"
  if [ ! -f "$jar" ]; then
    (cd "$root" && mvn -q dependency:get -Dartifact=tools.profiler:async-profiler:3.0 > "$out/fetch.log" 2>&1) || {
      echo "cannot fetch async-profiler 3.0 from Maven Central (see $out/fetch.log); set ASYNC_PROFILER_LIB" >&2
      exit 1
    }
  fi
  mkdir -p "$out/ap"
  # The JDK's jar tool unpacks it; unzip where the JDK on PATH has none.
  jar_tool="jar"
  [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jar" ] && jar_tool="$JAVA_HOME/bin/jar"
  if command -v "$jar_tool" > /dev/null 2>&1; then
    (cd "$out/ap" && "$jar_tool" xf "$jar" linux-x64/libasyncProfiler.so)
  else
    (cd "$out/ap" && unzip -q "$jar" linux-x64/libasyncProfiler.so)
  fi
  lib="$out/ap/linux-x64/libasyncProfiler.so"
  if [ ! -f "$lib" ]; then
    echo "could not unpack linux-x64/libasyncProfiler.so from $jar; set ASYNC_PROFILER_LIB" >&2
    exit 1
  fi
fi

# The test classpath of each tree's statemachine module.
for side in a b; do
  tree=$tree_a
  [ "$side" = b ] && tree=$tree_b
  (cd "$tree" && mvn -q -pl statemachine dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$out/cp.$side" > "$out/cp.$side.log" 2>&1) || {
    echo "$tree: cannot resolve statemachine's classpath (see $out/cp.$side.log)" >&2
    exit 1
  }
done

# One benchmark JVM on one core: prints the two scenarios' "cpu pairs/s" and "B/pair" on one line.
bench() { # side core run
  local tree=$tree_a
  [ "$1" = b ] && tree=$tree_b
  local cp="$tree/statemachine/target/test-classes:$tree/statemachine/target/classes:$(cat "$out/cp.$1")"
  taskset -c "$2" java -Xms1g -Xmx1g -XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:+AlwaysPreTouch \
      "-agentpath:$lib=start,event=cpu,interval=200us,file=$out/run$3.$1.collapsed,collapsed" \
      -Dbench.stores=memory -Dbench.quick=true -Dbench.rounds="$rounds" -Dbench.pairs="$pairs" \
      -cp "$cp" dev.ipam.core.bench.ClaimBenchmark > "$out/run$3.$1.out" 2>&1
}

# Loop samples and each pattern's share of them, from a collapsed profile.
shares() { # file
  awk -v funcs="$funcs" '
    BEGIN { n = split(funcs, f, ",") }
    /Driver\.loop/ {
      count = $NF; total += count
      for (i = 1; i <= n; i++) if (index($0, f[i]) > 0) hit[i] += count
    }
    END {
      printf "loop samples %7d", total
      for (i = 1; i <= n; i++) printf "  %s %.1f%%", f[i], total ? 100 * hit[i] / total : 0
    }' "$1"
}

scenario() { # file label -> "cpu pairs/s, B/pair" of that scenario
  grep -F "$2" "$1" | sed -E 's/.*cpu +([0-9,]+) pairs\/s.*\| +([0-9,]+) B\/pair.*/\1 pairs\/s \2 B\/pair/' | head -1
}

echo "A: $tree_a"
echo "B: $tree_b"
echo "$runs paired runs, $rounds rounds x $pairs pairs per scenario; FUNCS=$funcs"
for run in $(seq 1 "$runs"); do
  core_a=$(( (run + 1) % 2 ))
  core_b=$(( run % 2 ))
  bench a "$core_a" "$run" & pids=("$!")
  bench b "$core_b" "$run" & pids+=("$!")
  status=0
  for pid in "${pids[@]}"; do
    wait "$pid" || status=1
  done
  pids=()
  if [ "$status" != 0 ]; then
    echo "run $run: a benchmark failed:" >&2
    tail -5 "$out/run$run.a.out" "$out/run$run.b.out" >&2
    exit 1
  fi
  for side in a b; do
    core=$core_a
    [ "$side" = b ] && core=$core_b
    file="$out/run$run.$side"
    echo "run $run $side (core $core): /24 $(scenario "$file.out" "/24 claims") | IPv6 $(scenario "$file.out" "IPv6") | $(shares "$file.collapsed")"
  done
done
if [ "$own_out" = 0 ]; then
  echo "profiles (collapsed stacks) and outputs in $out"
fi
