# Sourced by ops/bench-node.sh and ops/bench-cluster.sh.
#
# write_stages BEFORE AFTER prints where the writes between two scrapes of a node's /metrics spent
# their time: for each stage of ipam_write_stage_seconds (ops/OPERATIONS.md), how many were observed
# and their mean. queued counts commands, the other stages Raft entries.
write_stages() {
  awk '
    match($0, /^ipam_write_stage_seconds_(sum|count)\{stage="[a-z]+"\} /) {
      split($0, head, /[{}"]/); kind = substr(head[1], length("ipam_write_stage_seconds_") + 1)
      value[FILENAME == ARGV[1] ? "before" : "after", head[3], kind] = $NF; stages[head[3]] = 1
    }
    END {
      n = split("queued replied committed applied answered", order, " ")
      for (i = 1; i <= n; i++) {
        s = order[i]; if (!(s in stages)) continue
        count = value["after", s, "count"] - value["before", s, "count"]
        sum = value["after", s, "sum"] - value["before", s, "sum"]
        printf "  %-10s %9d %s  mean %8.3f ms\n", s, count, (s == "queued" ? "commands" : "entries "), (count > 0 ? 1000 * sum / count : 0)
      }
    }' "$1" "$2"
}
