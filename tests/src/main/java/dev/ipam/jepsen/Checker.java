package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a history pool by pool: linearizability of claim/release/read against {@link PoolModel},
 * then the direct {@link Invariants}. Indeterminate operations are narrowed with reads before the
 * search (see {@link #calls}); a pool whose search runs out of time is UNKNOWN, never VALID.
 */
public final class Checker {
    /**
     * @param budgetMsPerPool time allowed to the search of one pool
     * @param cacheEntriesMax memoized configurations allowed per pool
     * @param anomaliesMax anomalies kept in the report (the rest are counted)
     */
    public record Settings(long budgetMsPerPool, int cacheEntriesMax, int anomaliesMax) {
        public static Settings defaults() {
            return new Settings(30_000, 2_000_000, 200);
        }
    }

    public record PoolResult(String pool, Cidr cidr, Linearizability.Verdict verdict, int operations,
                             long statesExplored, long elapsedMs, String reason, Anomaly anomaly) {
    }

    /**
     * @param nemesisErrors nemesis completions that carry an error (a fault that could not be
     *     applied or undone): not a verdict on the data, but a run that did less than planned
     */
    public record Report(Linearizability.Verdict verdict, List<PoolResult> pools, List<Anomaly> anomalies,
                         int anomaliesDropped, Map<String, Long> counts, List<Op> nemesisErrors) {
        public boolean valid() {
            return verdict == Linearizability.Verdict.VALID;
        }
    }

    private final Settings settings;

    public Checker(Settings settings) {
        this.settings = settings;
    }

    public Report check(List<Op> history) {
        List<OpPair> pairs = OpPair.pair(history);
        Map<String, Cidr> pools = new TreeMap<>();
        Map<String, List<OpPair>> byPool = new TreeMap<>();
        for (OpPair pair : pairs) {
            OpValue value = pair.invoke().value();
            if (value instanceof OpValue.CreatePool create && pair.ok()) {
                pools.put(create.pool(), create.cidr());
            } else if (value != null && value.pool() != null && !(value instanceof OpValue.CreatePool)) {
                byPool.computeIfAbsent(value.pool(), p -> new ArrayList<>()).add(pair);
            }
        }
        List<PoolResult> results = new ArrayList<>();
        List<Anomaly> anomalies = new ArrayList<>();
        for (Map.Entry<String, List<OpPair>> e : byPool.entrySet()) {
            Cidr cidr = pools.get(e.getKey());
            List<Anomaly> found = new ArrayList<>();
            PoolResult result = checkPool(e.getKey(), cidr, e.getValue(), found);
            results.add(result);
            if (result.anomaly() != null) {
                found.add(0, result.anomaly());
            }
            found.addAll(new Invariants(e.getKey(), cidr, e.getValue()).check());
            anomalies.addAll(found);
        }
        int dropped = Math.max(0, anomalies.size() - settings.anomaliesMax());
        List<Anomaly> kept = anomalies.subList(0, Math.min(anomalies.size(), settings.anomaliesMax()));
        List<Op> nemesisErrors = history.stream().filter(op -> op.isNemesis() && op.error() != null).toList();
        return new Report(verdict(results, anomalies), results, List.copyOf(kept), dropped, counts(history), nemesisErrors);
    }

    private static Linearizability.Verdict verdict(List<PoolResult> results, List<Anomaly> anomalies) {
        if (!anomalies.isEmpty()) {
            return Linearizability.Verdict.INVALID;
        }
        for (PoolResult result : results) {
            if (result.verdict() != Linearizability.Verdict.VALID) {
                return result.verdict();
            }
        }
        return Linearizability.Verdict.VALID;
    }

    private PoolResult checkPool(String pool, Cidr cidr, List<OpPair> pairs, List<Anomaly> anomalies) {
        long startNs = System.nanoTime();
        List<Linearizability.Call> calls = calls(pairs, anomalies, pool);
        PoolModel model = new PoolModel(cidr != null ? cidr : new Cidr(0, 0));
        Linearizability.Result result = Linearizability.check(model, calls,
                startNs + settings.budgetMsPerPool() * 1_000_000L, settings.cacheEntriesMax());
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000L;
        Anomaly anomaly = null;
        if (result.verdict() == Linearizability.Verdict.INVALID) {
            Linearizability.Call stuck = result.stuck();
            List<Op> ops = new ArrayList<>();
            ops.add(stuck.invoke());
            if (stuck.completion() != null) {
                ops.add(stuck.completion());
            }
            anomaly = new Anomaly(Anomaly.NONLINEARIZABLE, pool, "op " + stuck.invoke().index() + " (" + stuck.invoke().f()
                    + " by process " + stuck.invoke().process() + ") cannot be placed after " + result.linearizedMax()
                    + " ops; states it met: " + result.stuckStates(), ops);
        }
        return new PoolResult(pool, cidr, result.verdict(), calls.size(), result.statesExplored(), elapsedMs,
                result.reason(), anomaly);
    }

    /**
     * Turns a pool's pairs into search calls. Failed ops did not happen and are dropped. Reads that
     * did not succeed say nothing and are dropped; local (resourceVersion=0) reads may be stale by
     * contract and are left to the convergence check. An indeterminate claim is placed by the earliest
     * read that shows its name (it took effect before that read returned, with the block the read
     * shows) and dropped when no read shows it (nothing can tell it happened). An indeterminate
     * release of a claim acknowledged before the release began is pinned by the first later read
     * that no longer shows the name; otherwise it stays optional, or is left out when nothing can
     * have observed it (see {@link #unobservable}).
     */
    static List<Linearizability.Call> calls(List<OpPair> pairs, List<Anomaly> anomalies, String pool) {
        List<OpPair> reads = new ArrayList<>();
        Map<String, OpPair> claimsByName = new LinkedHashMap<>();
        for (OpPair pair : pairs) {
            String f = pair.invoke().f();
            if (pair.ok() && (f.equals(Op.READ) || f.equals(Op.FINAL_READ))) {
                reads.add(pair);
            }
            if (pair.invoke().value() instanceof OpValue.Claim claim) {
                claimsByName.put(claim.name(), pair);
            }
        }
        Map<String, OpPair> firstShowing = firstReadShowing(reads);
        List<Linearizability.Call> calls = new ArrayList<>();
        for (OpPair pair : pairs) {
            long callPos = 2 * pair.invoke().index();
            Op.Type outcome = pair.outcome();
            OpValue value = pair.value();
            if (outcome == Op.Type.FAIL) {
                continue;
            }
            if (value instanceof OpValue.Read) {
                String f = pair.invoke().f();
                if (outcome == Op.Type.OK && (f.equals(Op.READ) || f.equals(Op.FINAL_READ))) {
                    calls.add(new Linearizability.Call(calls.size(), value, callPos, 2 * pair.completeIndex(), false,
                            pair.invoke(), pair.completion()));
                }
            } else if (outcome == Op.Type.OK) {
                calls.add(new Linearizability.Call(calls.size(), value, callPos, 2 * pair.completeIndex(), false,
                        pair.invoke(), pair.completion()));
            } else if (value instanceof OpValue.Claim claim) {
                OpPair seenBy = firstShowing.get(claim.name());
                if (seenBy == null) {
                    continue;
                }
                long returnPos = 2 * seenBy.completeIndex() - 1;
                if (returnPos <= callPos) {
                    anomalies.add(new Anomaly(Anomaly.PHANTOM, pool, "read shows claim " + claim.name()
                            + " before it was requested", List.of(seenBy.invoke(), seenBy.completion(), pair.invoke())));
                    continue;
                }
                Cidr cidr = ((OpValue.Read) seenBy.value()).claims().get(claim.name());
                calls.add(new Linearizability.Call(calls.size(),
                        new OpValue.Claim(claim.pool(), claim.name(), claim.prefixLength(), cidr), callPos, returnPos,
                        false, pair.invoke(), pair.completion()));
            } else if (value instanceof OpValue.Release release) {
                OpValue.Release unknown = new OpValue.Release(release.pool(), release.name(), null);
                OpPair claim = claimsByName.get(release.name());
                OpPair goneIn = null;
                if (claim != null && claim.ok() && claim.completeIndex() < pair.invoke().index()) {
                    goneIn = firstReadWithout(reads, release.name(), pair.invoke().index());
                }
                if (goneIn == null) {
                    if (!unobservable(pair, release.name(), reads, pairs)) {
                        calls.add(new Linearizability.Call(calls.size(), unknown, callPos, Long.MAX_VALUE, true,
                                pair.invoke(), pair.completion()));
                    }
                } else {
                    calls.add(new Linearizability.Call(calls.size(), unknown, callPos, 2 * goneIn.completeIndex() - 1,
                            false, pair.invoke(), pair.completion()));
                }
            }
        }
        return calls;
    }

    /**
     * An indeterminate release can be left out when it cannot have been seen: the last read of the
     * pool began after the release and still shows the name, and every acknowledged op of the pool
     * had completed before that read began. Then the release, if it happened at all, happened after
     * everything the model checks. Leaving such releases in as optional ops costs the search a
     * retry at every step.
     */
    private static boolean unobservable(OpPair release, String name, List<OpPair> reads, List<OpPair> pairs) {
        OpPair last = null;
        for (OpPair read : reads) {
            if (last == null || read.invoke().index() > last.invoke().index()) {
                last = read;
            }
        }
        if (last == null || last.invoke().index() < release.invoke().index()
                || !((OpValue.Read) last.value()).claims().containsKey(name)) {
            return false;
        }
        for (OpPair pair : pairs) {
            if (pair.ok() && !(pair.value() instanceof OpValue.Read) && pair.completeIndex() > last.invoke().index()) {
                return false;
            }
        }
        return true;
    }

    /** For every name any read shows, the read that shows it and completed first. */
    private static Map<String, OpPair> firstReadShowing(List<OpPair> reads) {
        List<OpPair> byCompletion = new ArrayList<>(reads);
        byCompletion.sort(java.util.Comparator.comparingLong(OpPair::completeIndex));
        Map<String, OpPair> first = new java.util.HashMap<>();
        for (OpPair read : byCompletion) {
            for (String name : ((OpValue.Read) read.value()).claims().keySet()) {
                first.putIfAbsent(name, read);
            }
        }
        return first;
    }

    private static OpPair firstReadWithout(List<OpPair> reads, String name, long invokedAfter) {
        OpPair first = null;
        for (OpPair read : reads) {
            if (read.invoke().index() > invokedAfter && !((OpValue.Read) read.value()).claims().containsKey(name)
                    && (first == null || read.completeIndex() < first.completeIndex())) {
                first = read;
            }
        }
        return first;
    }

    private static Map<String, Long> counts(List<Op> history) {
        Map<String, Long> counts = new TreeMap<>();
        for (Op op : history) {
            if (!op.isInvoke()) {
                String key = op.isNemesis() ? "nemesis." + op.f() : op.f() + "." + op.type().word();
                counts.merge(key, 1L, Long::sum);
            }
        }
        return counts;
    }
}
