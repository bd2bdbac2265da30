package dev.ipam.jepsen;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one run is made of. {@link #check()} rejects contradictory settings at start, naming
 * the option to fix.
 *
 * @param durationMs how long the workload and the faults run (the final reads come after)
 * @param recoveryMs how long to wait for the cluster after healing before the final reads count as failed
 * @param command how nodes are started (template, ports, extra flags for a broken-server mode)
 * @param bearerToken an admin token when the nodes run with auth on, else null
 */
public record Scenario(String name, int nodes, long durationMs, long recoveryMs, long seed, Set<Schedule.Kind> nemeses,
                       Schedule.Timing faultTiming,
                       int concurrency, int pools, int opsPerPool, int prefixLengthMin, int prefixLengthMax,
                       NodeCommand command, Path runsDir, long requestTimeoutMs, Checker.Settings checker,
                       String bearerToken) {
    public Scenario {
        nemeses = Set.copyOf(nemeses);
    }

    public void check() {
        require(nodes == 3 || nodes == 5, "--nodes must be 3 or 5 (got " + nodes + ")");
        require(durationMs >= 1_000, "--duration must be at least 1s");
        require(concurrency >= 1 && concurrency <= 64, "--concurrency must be 1..64");
        require(pools >= 1 && pools <= 200, "--pools must be 1..200");
        require(opsPerPool >= 1 && opsPerPool <= 100_000, "--ops-per-pool must be 1..100000");
        require(prefixLengthMin >= Workload.POOL_PREFIX_LENGTH && prefixLengthMin <= prefixLengthMax
                && prefixLengthMax <= 32, "--prefix-lengths must be within /24../32, min <= max");
        require(!nemeses.contains(Schedule.Kind.PARTITION_RING) || nodes >= 5,
                "partition-ring needs --nodes 5 (with 3 every node already sees a majority)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The settings as written into results.edn's :run. */
    public Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("nodes", (long) nodes);
        map.put("duration-ms", durationMs);
        map.put("seed", seed);
        map.put("nemeses", nemeses.stream().map(Schedule.Kind::word).sorted().toList());
        map.put("fault-gap-ms", List.of(faultTiming.gapMsMin(), faultTiming.gapMsMax()));
        map.put("fault-hold-ms", List.of(faultTiming.holdMsMin(), faultTiming.holdMsMax()));
        map.put("concurrency", (long) concurrency);
        map.put("pools", (long) pools);
        map.put("ops-per-pool", (long) opsPerPool);
        map.put("command", command.template());
        map.put("extra-flags", List.copyOf(command.extraFlags()));
        map.put("auth", bearerToken != null);
        return map;
    }
}
