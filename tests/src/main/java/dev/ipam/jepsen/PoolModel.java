package dev.ipam.jepsen;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The sequential specification of one pool: a map from claim name to block. A claim may take any
 * aligned block of the asked length inside the pool that overlaps no live block; the server's answer
 * says which, and the model only checks that the answer was a legal choice. A release removes the
 * name (or, when the server said NotFound, asserts the name was absent). A read must see exactly the
 * current map.
 */
public final class PoolModel {
    private final Cidr pool;

    public PoolModel(Cidr pool) {
        this.pool = pool;
    }

    public Cidr pool() {
        return pool;
    }

    public State initial() {
        return new State(Collections.emptySortedMap());
    }

    /** The state after {@code value}, or null when {@code value} cannot happen in {@code state}. */
    public State step(State state, OpValue value) {
        if (value instanceof OpValue.Claim claim) {
            Cidr cidr = claim.cidr();
            if (cidr == null || state.claims.containsKey(claim.name()) || !legalBlock(claim, cidr)) {
                return null;
            }
            for (Cidr live : state.claims.values()) {
                if (live.overlaps(cidr)) {
                    return null;
                }
            }
            return state.with(claim.name(), cidr);
        }
        if (value instanceof OpValue.Release release) {
            boolean present = state.claims.containsKey(release.name());
            if (Boolean.FALSE.equals(release.found())) {
                return present ? null : state;
            }
            if (Boolean.TRUE.equals(release.found()) && !present) {
                return null;
            }
            return present ? state.without(release.name()) : state;
        }
        if (value instanceof OpValue.Read read) {
            return state.claims.equals(read.claims()) ? state : null;
        }
        throw new IllegalArgumentException("the pool model has no step for " + value);
    }

    private boolean legalBlock(OpValue.Claim claim, Cidr cidr) {
        return cidr.prefixLength() == claim.prefixLength() && cidr.aligned() && pool.contains(cidr);
    }

    /** An immutable map of live claims; equal states hash equal (the search memoizes on them). */
    public static final class State {
        private final SortedMap<String, Cidr> claims;
        private final int hash;

        State(SortedMap<String, Cidr> claims) {
            this.claims = claims;
            this.hash = claims.hashCode();
        }

        public SortedMap<String, Cidr> claims() {
            return Collections.unmodifiableSortedMap(claims);
        }

        State with(String name, Cidr cidr) {
            TreeMap<String, Cidr> next = new TreeMap<>(claims);
            next.put(name, cidr);
            return new State(next);
        }

        State without(String name) {
            TreeMap<String, Cidr> next = new TreeMap<>(claims);
            next.remove(name);
            return new State(next);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof State s && s.hash == hash && s.claims.equals(claims);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return claims.toString();
        }
    }
}
