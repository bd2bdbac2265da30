package dev.ipam.core.model;

import java.util.List;

/** A request for a block of addresses; bound synchronously at create. */
public record IPClaim(String project, ObjectMeta metadata, Spec spec, Status status) implements Resource {
    @Override
    public Kind kind() {
        return Kind.CLAIM;
    }

    /**
     * @param ipFamily required, immutable, must match the pool
     * @param prefixLength required (1..32 IPv4, 1..128 IPv6), within the pool's bounds; may be omitted with cidr
     * @param poolRef exactly one of poolRef / poolSelector
     * @param cidr extension: claim exactly this block (free and inside the pool)
     * @param ownerRef opaque, kept as given
     * @param reclaimPolicy default Delete
     */
    public record Spec(IPFamily ipFamily, Integer prefixLength, Refs.PoolRef poolRef, PoolSelector poolSelector,
                       String cidr, Refs.ObjectRef ownerRef, ReclaimPolicy reclaimPolicy) {
    }

    /**
     * @param poolRef extension: the pool the block was carved from (resolved from poolRef or poolSelector)
     */
    public record Status(ClaimPhase phase, String allocatedCIDR, Refs.LocalRef boundAllocationRef,
                         Refs.PoolRef poolRef, List<Condition> conditions) {
        public Status {
            conditions = Immutable.list(conditions);
        }
    }
}
