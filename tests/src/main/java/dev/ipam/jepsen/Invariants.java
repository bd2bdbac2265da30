package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The direct checks, each cheap and independent of the linearizability search, so that a history too
 * large to search still gets a definite answer on the promises that matter most.
 */
final class Invariants {
    private final String pool;
    private final Cidr poolCidr;
    private final List<OpPair> pairs;
    private final List<Anomaly> anomalies = new ArrayList<>();

    /** @param pairs this pool's operations, in invocation order */
    Invariants(String pool, Cidr poolCidr, List<OpPair> pairs) {
        this.pool = pool;
        this.poolCidr = poolCidr;
        this.pairs = pairs;
    }

    List<Anomaly> check() {
        blocksAreLegal();
        readsHaveNoOverlap();
        claimsDoNotOverlapWhileLive();
        acknowledgedClaimsSurvive();
        releasesNeverReappear();
        replicasConverge();
        return anomalies;
    }

    private void blocksAreLegal() {
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.value() instanceof OpValue.Claim claim) {
                Cidr cidr = claim.cidr();
                if (cidr == null || cidr.prefixLength() != claim.prefixLength() || !cidr.aligned()
                        || (poolCidr != null && !poolCidr.contains(cidr))) {
                    add(Anomaly.BAD_BLOCK, "claim " + claim.name() + " got " + cidr + " for /" + claim.prefixLength()
                            + " in pool " + poolCidr, pair);
                }
            }
        }
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.value() instanceof OpValue.Read read && read.claims() != null) {
                read.claims().forEach((name, cidr) -> {
                    if (!cidr.aligned() || (poolCidr != null && !poolCidr.contains(cidr))) {
                        add(Anomaly.BAD_BLOCK, "read shows " + name + "=" + cidr + " in pool " + poolCidr, pair);
                    }
                });
            }
        }
    }

    private void readsHaveNoOverlap() {
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.value() instanceof OpValue.Read read && read.claims() != null) {
                List<Map.Entry<String, Cidr>> entries = new ArrayList<>(read.claims().entrySet());
                entries.sort(Map.Entry.comparingByValue());
                for (int i = 1; i < entries.size(); i++) {
                    Map.Entry<String, Cidr> before = entries.get(i - 1);
                    Map.Entry<String, Cidr> after = entries.get(i);
                    if (before.getValue().overlaps(after.getValue())) {
                        add(Anomaly.OVERLAP, "one read shows " + before.getKey() + "=" + before.getValue() + " and "
                                + after.getKey() + "=" + after.getValue(), pair);
                    }
                }
            }
        }
    }

    /**
     * A claim is certainly live from its acknowledgement until its release is invoked (forever if
     * never). Two such windows that intersect with overlapping blocks are a double allocation.
     */
    private void claimsDoNotOverlapWhileLive() {
        Map<String, Long> releaseInvoked = new HashMap<>();
        for (OpPair pair : pairs) {
            if (pair.value() instanceof OpValue.Release release && pair.outcome() != Op.Type.FAIL) {
                releaseInvoked.merge(release.name(), pair.invoke().index(), Math::min);
            }
        }
        List<OpPair> claims = new ArrayList<>();
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.value() instanceof OpValue.Claim claim && claim.cidr() != null) {
                claims.add(pair);
            }
        }
        claims.sort((a, b) -> ((OpValue.Claim) a.value()).cidr().compareTo(((OpValue.Claim) b.value()).cidr()));
        for (int i = 0; i < claims.size(); i++) {
            OpValue.Claim a = (OpValue.Claim) claims.get(i).value();
            for (int j = i + 1; j < claims.size(); j++) {
                OpValue.Claim b = (OpValue.Claim) claims.get(j).value();
                if (b.cidr().first() > a.cidr().last()) {
                    break;
                }
                long aEnd = releaseInvoked.getOrDefault(a.name(), Long.MAX_VALUE);
                long bEnd = releaseInvoked.getOrDefault(b.name(), Long.MAX_VALUE);
                if (claims.get(i).completeIndex() < bEnd && claims.get(j).completeIndex() < aEnd) {
                    add(Anomaly.OVERLAP, a.name() + "=" + a.cidr() + " and " + b.name() + "=" + b.cidr()
                            + " were both acknowledged and live at once", claims.get(i), claims.get(j));
                }
            }
        }
    }

    private OpPair finalRead() {
        OpPair last = null;
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.invoke().f().equals(Op.FINAL_READ)) {
                last = pair;
            }
        }
        return last;
    }

    private void acknowledgedClaimsSurvive() {
        OpPair finalRead = finalRead();
        if (finalRead == null) {
            return;
        }
        SortedMap<String, Cidr> survivors = ((OpValue.Read) finalRead.value()).claims();
        Map<String, Boolean> released = new HashMap<>();
        for (OpPair pair : pairs) {
            if (pair.value() instanceof OpValue.Release release && pair.outcome() != Op.Type.FAIL) {
                released.put(release.name(), true);
            }
        }
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.value() instanceof OpValue.Claim claim && !released.containsKey(claim.name())) {
                Cidr seen = survivors.get(claim.name());
                if (seen == null) {
                    add(Anomaly.LOST_CLAIM, "acknowledged claim " + claim.name() + "=" + claim.cidr()
                            + " was never released but is missing after healing", pair, finalRead);
                } else if (!seen.equals(claim.cidr())) {
                    add(Anomaly.LOST_CLAIM, "acknowledged claim " + claim.name() + "=" + claim.cidr()
                            + " shows up as " + seen + " after healing", pair, finalRead);
                }
            }
        }
    }

    /** Names are never claimed twice by the workload; a history that does re-claim one is judged up to that claim. */
    private void releasesNeverReappear() {
        Map<String, Long> reclaimed = new HashMap<>();
        for (OpPair pair : pairs) {
            if (pair.value() instanceof OpValue.Claim claim) {
                reclaimed.merge(claim.name(), pair.invoke().index(), Math::max);
            }
        }
        Map<String, List<OpPair>> readsShowing = new HashMap<>();
        for (OpPair read : pairs) {
            if (read.ok() && !read.invoke().f().equals(Op.LOCAL_READ) && read.value() instanceof OpValue.Read seen
                    && seen.claims() != null) {
                seen.claims().keySet().forEach(name -> readsShowing.computeIfAbsent(name, k -> new ArrayList<>()).add(read));
            }
        }
        for (OpPair release : pairs) {
            if (release.ok() && release.value() instanceof OpValue.Release value && Boolean.TRUE.equals(value.found())) {
                long claimedAgainAt = reclaimed.getOrDefault(value.name(), -1L);
                for (OpPair read : readsShowing.getOrDefault(value.name(), List.of())) {
                    if (read.invoke().index() > release.completeIndex() && claimedAgainAt < release.invoke().index()) {
                        add(Anomaly.RESURRECTED, "claim " + value.name() + " was released but a later read shows it as "
                                + ((OpValue.Read) read.value()).claims().get(value.name()), release, read);
                        break;
                    }
                }
            }
        }
    }

    private void replicasConverge() {
        OpPair finalRead = finalRead();
        Map<String, OpPair> lastByNode = new java.util.TreeMap<>();
        for (OpPair pair : pairs) {
            if (pair.ok() && pair.invoke().f().equals(Op.LOCAL_READ)) {
                lastByNode.put(pair.invoke().node(), pair);
            }
        }
        if (lastByNode.isEmpty()) {
            return;
        }
        OpPair reference = finalRead != null ? finalRead : lastByNode.values().iterator().next();
        SortedMap<String, Cidr> expected = ((OpValue.Read) reference.value()).claims();
        for (OpPair local : lastByNode.values()) {
            SortedMap<String, Cidr> seen = ((OpValue.Read) local.value()).claims();
            if (!seen.equals(expected)) {
                add(Anomaly.DIVERGENCE, "node " + local.invoke().node() + " holds " + seen.size() + " claims "
                        + difference(expected, seen) + " after healing", reference, local);
            }
        }
    }

    private static String difference(SortedMap<String, Cidr> expected, SortedMap<String, Cidr> seen) {
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        expected.forEach((name, cidr) -> {
            if (!cidr.equals(seen.get(name))) {
                missing.add(name + "=" + cidr);
            }
        });
        seen.forEach((name, cidr) -> {
            if (!cidr.equals(expected.get(name))) {
                extra.add(name + "=" + cidr);
            }
        });
        return "(missing " + limit(missing) + ", extra " + limit(extra) + ")";
    }

    private static String limit(List<String> items) {
        return items.size() <= 5 ? items.toString() : items.subList(0, 5) + "... (" + items.size() + ")";
    }

    private void add(String kind, String message, OpPair... involved) {
        List<Op> ops = new ArrayList<>();
        for (OpPair pair : involved) {
            ops.add(pair.invoke());
            if (pair.completion() != null) {
                ops.add(pair.completion());
            }
        }
        anomalies.add(new Anomaly(kind, pool, message, ops));
    }
}
