#!/usr/bin/env bash
# RocksDB's compaction work per column family, from a database's info LOG: which families cost it.
#
#   ops/rocksdb-compactions.sh DB_DIR        e.g. ops/rocksdb-compactions.sh data/node1/db
#
# Reads DB_DIR/LOG and the older LOG.old.* files RocksDB keeps (ipamd keeps 4), oldest first: their
# EVENT_LOG_v1 lines. For each column family, over the compactions that finished: the CPU seconds
# (compaction_time_cpu_micros), the MB read (input_data_size) and written (total_output_size), and
# how many there were, of which how many merged level-0 files (LevelL0FilesNum) and how many
# rewrote one bottom-level file (BottommostFiles). Sorted by CPU; a total line last. The figures
# cover the LOG files' whole span, which starts at an open of the database (a restart starts a new
# LOG). Read-only: safe on a running node's directory.
set -euo pipefail
if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -eq 1 ] && exit 0
  exit 2
fi
db="$1"
if [ ! -f "$db/LOG" ]; then
  echo "no RocksDB info LOG in $db (expected $db/LOG; ipamd's database is DATA_DIR/db)" >&2
  exit 1
fi
# LOG.old.<microseconds> sort by name in the order they were written; LOG is the newest.
logs=()
while IFS= read -r old; do
  logs+=("$old")
done < <(find "$db" -maxdepth 1 -name 'LOG.old.*' | LC_ALL=C sort)
logs+=("$db/LOG")
echo "compactions by column family ($db, ${#logs[@]} LOG file(s)):"
awk '
  function field(name, quoted,    re, at) {
    re = quoted ? "\"" name "\": \"[^\"]*\"" : "\"" name "\": -?[0-9]+"
    if (!match($0, re)) {
      return ""
    }
    at = length(name) + 4 + (quoted ? 1 : 0)
    return substr($0, RSTART + at, RLENGTH - at - (quoted ? 1 : 0))
  }
  FNR == 1 { split("", family); split("", input); split("", reason) }  # job numbers restart with each LOG
  /EVENT_LOG_v1/ && /"event": "compaction_started"/ {
    job = field("job", 0)
    family[job] = field("cf_name", 1)
    input[job] = field("input_data_size", 0) + 0
    reason[job] = field("compaction_reason", 1)
  }
  /EVENT_LOG_v1/ && /"event": "compaction_finished"/ {
    job = field("job", 0)
    f = (job in family) ? family[job] : "(unknown)"
    cpu[f] += field("compaction_time_cpu_micros", 0) / 1e6
    read[f] += input[job] / 1e6
    written[f] += field("total_output_size", 0) / 1e6
    count[f]++
    if (reason[job] == "LevelL0FilesNum") level0[f]++
    if (reason[job] == "BottommostFiles") bottom[f]++
    seen = 1
  }
  END {
    if (!seen) {
      print "  no compactions finished"
      exit
    }
    printf "  %-20s %8s %9s %11s %12s %7s %11s\n", "family", "cpu_s", "read_MB", "written_MB", "compactions", "level0", "bottommost"
    for (f in cpu) {
      printf "  %-20s %8.2f %9.1f %11.1f %12d %7d %11d\n", f, cpu[f], read[f], written[f], count[f], level0[f], bottom[f] | "sort -k2,2 -nr"
      tc += cpu[f]; tr += read[f]; tw += written[f]; tn += count[f]; tl += level0[f]; tb += bottom[f]
    }
    close("sort -k2,2 -nr")
    printf "  %-20s %8.2f %9.1f %11.1f %12d %7d %11d\n", "total", tc, tr, tw, tn, tl, tb
  }
' "${logs[@]}"
