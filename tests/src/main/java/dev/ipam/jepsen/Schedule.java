package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The seeded fault plan: which fault starts when, for how long, against which nodes. The same seed,
 * duration, node count and fault set always give the same plan, so a failing run can be replayed.
 * Faults do not overlap: each is healed before the next starts, with a quiet gap between.
 */
public final class Schedule {
    /** The faults the nemesis knows; {@code leader} variants pick their target when they start. */
    public enum Kind {
        PARTITION_ONE, PARTITION_HALVES, PARTITION_RING, PARTITION_BRIDGE, KILL, PAUSE, CLOCK_SKEW, MEMBERSHIP,
        LEADER_PARTITION, LEADER_KILL, LEADER_PAUSE, LEADER_MEMBERSHIP;

        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Kind of(String word) {
            try {
                return valueOf(word.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown nemesis '" + word + "'; known: " + Arrays.toString(
                        Arrays.stream(values()).map(Kind::word).toArray()) + ", or all, partitions, none");
            }
        }

        public boolean leaderTargeted() {
            return name().startsWith("LEADER_");
        }

        /** Parses a comma-separated list; {@code all}, {@code partitions} and {@code none} are shorthands. */
        public static Set<Kind> parse(String list) {
            Set<Kind> kinds = new LinkedHashSet<>();
            for (String word : list.split(",")) {
                switch (word.strip()) {
                    case "", "none" -> { }
                    case "all" -> kinds.addAll(Arrays.asList(values()));
                    case "partitions" -> kinds.addAll(List.of(PARTITION_ONE, PARTITION_HALVES, PARTITION_RING,
                            PARTITION_BRIDGE, LEADER_PARTITION));
                    default -> kinds.add(of(word));
                }
            }
            return kinds;
        }
    }

    /**
     * One fault. {@code nodes} are the targets chosen at plan time (indices 0..n-1 in a random order
     * for partitions); a leader-targeted fault replaces its first target with the leader when it
     * starts. {@code faketime} is the libfaketime setting of a clock skew.
     */
    public record Step(long atMs, long holdMs, Kind kind, List<Integer> nodes, String faketime) {
    }

    /** Quiet time between faults and how long each is held, both drawn uniformly from [min, max]. */
    public record Timing(long gapMsMin, long gapMsMax, long holdMsMin, long holdMsMax) {
        public Timing {
            if (gapMsMin > gapMsMax || holdMsMin > holdMsMax || gapMsMin < 0 || holdMsMin <= 0) {
                throw new IllegalArgumentException("bad fault timing: gap " + gapMsMin + ".." + gapMsMax
                        + " ms, hold " + holdMsMin + ".." + holdMsMax + " ms");
            }
        }

        /** About one fault per 10-20 s, held 5-15 s, as the feasibility notes suggest. */
        public static Timing standard() {
            return new Timing(3_000, 8_000, 5_000, 15_000);
        }
    }

    public record Settings(long seed, long durationMs, Set<Kind> kinds, int nodeCount, Timing timing) {
        public static Settings standard(long seed, long durationMs, Set<Kind> kinds, int nodeCount) {
            return new Settings(seed, durationMs, kinds, nodeCount, Timing.standard());
        }
    }

    private static final List<String> CLOCK_SKEWS = List.of("+30s", "-20s", "+120s", "+0 x1.5", "+0 x0.7", "+5s x2");
    private static final int STEPS_MAX = 10_000;

    private Schedule() {
    }

    public static List<Step> plan(Settings settings) {
        // Sorted: a Set's iteration order (Set.of's in particular) may differ between JVM runs.
        List<Kind> kinds = new ArrayList<>(new TreeSet<>(settings.kinds()));
        kinds.removeIf(kind -> !applicable(kind, settings.nodeCount()));
        List<Step> steps = new ArrayList<>();
        if (kinds.isEmpty()) {
            return steps;
        }
        Timing timing = settings.timing();
        Random random = seeded(settings.seed());
        long at = between(random, timing.gapMsMin(), timing.gapMsMax());
        while (steps.size() < STEPS_MAX) {
            long hold = between(random, timing.holdMsMin(), timing.holdMsMax());
            if (at + hold > settings.durationMs()) {
                break;
            }
            Kind kind = kinds.get(random.nextInt(kinds.size()));
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < settings.nodeCount(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            String faketime = kind == Kind.CLOCK_SKEW ? CLOCK_SKEWS.get(random.nextInt(CLOCK_SKEWS.size())) : null;
            steps.add(new Step(at, hold, kind, List.copyOf(order), faketime));
            at += hold + between(random, timing.gapMsMin(), timing.gapMsMax());
        }
        return steps;
    }

    /** Ring and bridge partitions only differ from halves with 5 or more nodes; membership needs 3. */
    static boolean applicable(Kind kind, int nodeCount) {
        return switch (kind) {
            case PARTITION_RING -> nodeCount >= 5;
            case PARTITION_BRIDGE, MEMBERSHIP, LEADER_MEMBERSHIP, PARTITION_HALVES -> nodeCount >= 3;
            default -> nodeCount >= 1;
        };
    }

    /** java.util.Random's first draws barely differ for nearby seeds; mix the seed first. */
    static Random seeded(long seed) {
        return new Random(new java.util.SplittableRandom(seed).nextLong());
    }

    private static long between(Random random, long min, long max) {
        return min + (max == min ? 0 : (long) (random.nextDouble() * (max - min)));
    }

    /**
     * Who drops whose packets for a partition fault, from the step's node order (with the leader
     * moved first for leader-targeted faults). Keys and values are node indices 0..n-1; the relation
     * is symmetric.
     */
    public static Map<Integer, Set<Integer>> grudge(Kind kind, List<Integer> order) {
        int n = order.size();
        Map<Integer, Set<Integer>> grudge = new TreeMap<>();
        switch (kind) {
            case PARTITION_ONE, LEADER_PARTITION -> cut(grudge, order.subList(0, 1), order.subList(1, n));
            case PARTITION_HALVES -> cut(grudge, order.subList(0, n / 2), order.subList(n / 2, n));
            case PARTITION_BRIDGE -> {
                // Two halves that only the middle node joins: each half plus the bridge is a majority.
                int half = (n - 1) / 2;
                cut(grudge, order.subList(0, half), order.subList(half + 1, n));
            }
            case PARTITION_RING -> {
                // Each node sees itself and its n/2 nearest ring neighbours: a majority, different for each.
                int reach = (n / 2 + 1) / 2;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                        if (distance > reach) {
                            grudge.computeIfAbsent(order.get(i), k -> new TreeSet<>()).add(order.get(j));
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException(kind.word() + " is not a partition");
        }
        return grudge;
    }

    private static void cut(Map<Integer, Set<Integer>> grudge, List<Integer> side, List<Integer> other) {
        for (int a : side) {
            for (int b : other) {
                grudge.computeIfAbsent(a, k -> new TreeSet<>()).add(b);
                grudge.computeIfAbsent(b, k -> new TreeSet<>()).add(a);
            }
        }
    }

    public static boolean isPartition(Kind kind) {
        return kind == Kind.PARTITION_ONE || kind == Kind.PARTITION_HALVES || kind == Kind.PARTITION_RING
                || kind == Kind.PARTITION_BRIDGE || kind == Kind.LEADER_PARTITION;
    }
}
