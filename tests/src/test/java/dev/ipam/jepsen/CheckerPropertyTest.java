package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.jepsen.Linearizability.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Histories of a simulated correct pool (every op takes effect at one instant inside its interval,
 * some ops end indeterminate with or without effect) are always valid; dropping an acknowledged,
 * never-released claim from the final read always fails. The seed is printed on failure and can be
 * given back with -Djepsen.seed=N.
 */
class CheckerPropertyTest {
    private static final long SEED = Long.getLong("jepsen.seed", System.nanoTime());
    private static final int HISTORIES = 40;
    private static final Cidr POOL = Histories.POOL_CIDR;

    /** One in-flight op of the simulation. */
    private static final class Flight {
        final Op invoke;
        OpValue result;
        boolean effective;

        Flight(Op invoke) {
            this.invoke = invoke;
        }
    }

    static List<Op> simulate(Random random, int processes, int steps) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op(0, Op.Type.INVOKE, Op.CREATE_POOL, new OpValue.CreatePool("p1", POOL), 0, "n1", 0, null));
        ops.add(new Op(1, Op.Type.OK, Op.CREATE_POOL, new OpValue.CreatePool("p1", POOL), 0, "n1", 1, null));
        TreeMap<String, Cidr> state = new TreeMap<>();
        Map<Integer, Flight> flights = new HashMap<>();
        Map<Integer, List<String>> held = new HashMap<>();
        int[] process = new int[processes];
        for (int p = 0; p < processes; p++) {
            process[p] = p + 1;
        }
        int names = 0;
        for (int step = 0; step < steps; step++) {
            int worker = random.nextInt(processes);
            Flight flight = flights.get(worker);
            if (flight == null) {
                List<String> mine = held.computeIfAbsent(worker, k -> new ArrayList<>());
                double dice = random.nextDouble();
                OpValue value;
                String f;
                if (dice < 0.4) {
                    f = Op.CLAIM;
                    value = new OpValue.Claim("p1", "c" + (names++), 28 + random.nextInt(3), null);
                } else if (dice < 0.7 && !mine.isEmpty()) {
                    f = Op.RELEASE;
                    value = new OpValue.Release("p1", mine.remove(random.nextInt(mine.size())), null);
                } else {
                    f = Op.READ;
                    value = new OpValue.Read("p1", null);
                }
                Op invoke = new Op(ops.size(), Op.Type.INVOKE, f, value, process[worker], "n1", ops.size(), null);
                ops.add(invoke);
                flights.put(worker, new Flight(invoke));
            } else if (!flight.effective && random.nextDouble() < 0.6) {
                flight.effective = true;
                flight.result = apply(random, state, flight.invoke.value());
            } else if (flight.effective || random.nextDouble() < 0.3) {
                boolean info = random.nextDouble() < 0.08 && !flight.invoke.f().equals(Op.READ);
                Op.Type type;
                OpValue value;
                if (info) {
                    type = Op.Type.INFO;
                    value = flight.invoke.value();
                } else if (flight.effective && flight.result != null) {
                    type = Op.Type.OK;
                    value = flight.result;
                } else {
                    type = Op.Type.FAIL;
                    value = flight.invoke.value();
                }
                if (!flight.effective && type == Op.Type.OK) {
                    throw new IllegalStateException("ok without effect");
                }
                ops.add(new Op(ops.size(), type, flight.invoke.f(), value, flight.invoke.process(), "n1", ops.size(),
                        type == Op.Type.OK ? null : "timeout"));
                if (type == Op.Type.OK && value instanceof OpValue.Claim claim) {
                    held.computeIfAbsent(worker, k -> new ArrayList<>()).add(claim.name());
                }
                if (type == Op.Type.INFO) {
                    process[worker] += processes;
                }
                flights.remove(worker);
            }
        }
        // Ops still in flight end without completion (the run ended); then the final read.
        ops.add(new Op(ops.size(), Op.Type.INVOKE, Op.FINAL_READ, new OpValue.Read("p1", null), 999, "n1", ops.size(), null));
        ops.add(new Op(ops.size(), Op.Type.OK, Op.FINAL_READ, new OpValue.Read("p1", new TreeMap<>(state)), 999, "n1",
                ops.size(), null));
        return ops;
    }

    /** The correct pool: a random legal block for a claim (null result when full). */
    private static OpValue apply(Random random, TreeMap<String, Cidr> state, OpValue value) {
        if (value instanceof OpValue.Claim claim) {
            List<Cidr> free = new ArrayList<>();
            long size = 1L << (32 - claim.prefixLength());
            for (long address = POOL.first(); address + size - 1 <= POOL.last(); address += size) {
                Cidr candidate = new Cidr(address, claim.prefixLength());
                if (state.values().stream().noneMatch(candidate::overlaps)) {
                    free.add(candidate);
                }
            }
            if (free.isEmpty()) {
                return null;
            }
            Cidr chosen = free.get(random.nextInt(free.size()));
            state.put(claim.name(), chosen);
            return new OpValue.Claim(claim.pool(), claim.name(), claim.prefixLength(), chosen);
        }
        if (value instanceof OpValue.Release release) {
            boolean found = state.remove(release.name()) != null;
            return new OpValue.Release(release.pool(), release.name(), found);
        }
        SortedMap<String, Cidr> snapshot = new TreeMap<>(state);
        return new OpValue.Read(value.pool(), snapshot);
    }

    @Test
    void correctPoolHistoriesAreValid() {
        Random random = new Random(SEED);
        for (int i = 0; i < HISTORIES; i++) {
            List<Op> history = simulate(random, 2 + random.nextInt(5), 300 + random.nextInt(600));
            Checker.Report report = new Checker(Checker.Settings.defaults()).check(history);
            int index = i;
            assertEquals(Verdict.VALID, report.verdict(),
                    () -> "seed " + SEED + " history " + index + ": " + report.anomalies() + " " + report.pools());
        }
    }

    @Test
    void droppingAnAcknowledgedClaimFromTheFinalReadIsCaught() {
        Random random = new Random(SEED);
        int mutated = 0;
        for (int i = 0; i < HISTORIES; i++) {
            List<Op> history = new ArrayList<>(simulate(random, 2 + random.nextInt(5), 300 + random.nextInt(600)));
            Op last = history.get(history.size() - 1);
            SortedMap<String, Cidr> survivors = new TreeMap<>(((OpValue.Read) last.value()).claims());
            String victim = acknowledgedNeverReleased(history, survivors);
            if (victim == null) {
                continue;
            }
            survivors.remove(victim);
            history.set(history.size() - 1, new Op(last.index(), last.type(), last.f(), new OpValue.Read("p1", survivors),
                    last.process(), last.node(), last.timeNs(), null));
            Checker.Report report = new Checker(Checker.Settings.defaults()).check(history);
            assertEquals(Verdict.INVALID, report.verdict(), "seed " + SEED + " history " + i + " victim " + victim);
            assertTrue(report.anomalies().stream().anyMatch(a -> a.kind().equals(Anomaly.LOST_CLAIM)), "seed " + SEED);
            mutated++;
        }
        assertTrue(mutated >= HISTORIES / 2, "seed " + SEED + ": most histories had a victim, " + mutated);
    }

    private static String acknowledgedNeverReleased(List<Op> history, SortedMap<String, Cidr> survivors) {
        java.util.Set<String> released = new java.util.HashSet<>();
        for (Op op : history) {
            if (op.value() instanceof OpValue.Release r) {
                released.add(r.name());
            }
        }
        for (Op op : history) {
            if (op.type() == Op.Type.OK && op.value() instanceof OpValue.Claim c && !released.contains(c.name())
                    && survivors.containsKey(c.name())) {
                return c.name();
            }
        }
        return null;
    }
}
