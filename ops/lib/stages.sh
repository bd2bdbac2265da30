# Sourced by ops/bench-node.sh and ops/bench-cluster.sh.
#
# scrape_metrics PORT FILE saves the /metrics of the node serving HTTP on 127.0.0.1:PORT (an empty
# file when it does not answer).
#
# write_stages BEFORE AFTER prints where the writes between two such scrapes spent their time: for
# each stage of ipam_write_stage_seconds (ops/OPERATIONS.md) that the node observed in between, how
# many and their mean. queued counts commands, the other stages Raft entries.
scrape_metrics() {
  curl -sf "127.0.0.1:$1/metrics" > "$2" || true
}
write_stages() {
  awk '
    match($0, /^ipam_write_stage_seconds_(sum|count)\{stage="[a-z]+"\} /) {
      split($0, head, /[{}"]/); kind = substr(head[1], length("ipam_write_stage_seconds_") + 1)
      value[FILENAME == ARGV[1] ? "before" : "after", head[3], kind] = $NF
    }
    END {
      n = split("queued replied committed applied answered", order, " ")
      for (i = 1; i <= n; i++) {
        s = order[i]
        count = value["after", s, "count"] - value["before", s, "count"]
        if (count <= 0) continue
        sum = value["after", s, "sum"] - value["before", s, "sum"]
        printf "  %-10s %9d %s  mean %8.3f ms\n", s, count, (s == "queued" ? "commands" : "entries "), 1000 * sum / count
      }
    }' "$1" "$2"
}
