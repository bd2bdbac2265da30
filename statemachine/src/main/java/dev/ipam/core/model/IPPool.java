package dev.ipam.core.model;

import java.util.List;

/** A pool of address space (cluster-scoped inside its project). */
public record IPPool(String project, ObjectMeta metadata, Spec spec, Status status) implements Resource {
    @Override
    public Kind kind() {
        return Kind.POOL;
    }

    /**
     * @param cidr root pools: required canonical CIDR, immutable. Child pools may set it to carve that exact block.
     * @param ipFamily root pools: required and must match cidr; child pools inherit it (defaulted on create)
     * @param parentPoolRef makes this a child pool carved from the named pool of the same project; immutable
     * @param prefixLength child pools: required, the size of the block carved from the parent
     * @param allocation claim bounds and strategy (defaulted: strategy FirstFit)
     * @param visibility {@code shared} lets the projects in allowedProjects claim from it
     * @param allowedProjects extension: projects granted use of a shared pool ("*" = every project); mutable
     */
    public record Spec(String cidr, IPFamily ipFamily, Refs.LocalRef parentPoolRef, Integer prefixLength,
                       AllocationSettings allocation, Visibility visibility, List<String> allowedProjects) {
        public Spec {
            allowedProjects = Immutable.list(allowedProjects);
        }
    }

    /** Bounds on what claims may ask (min <= max) and the strategy. Null bounds mean unbounded. */
    public record AllocationSettings(Integer minPrefixLength, Integer maxPrefixLength, Strategy strategy) {
    }

    /**
     * @param allocatedCIDR the pool's block (spec.cidr for root pools, the carved block for child pools)
     * @param largestFreePrefix the prefix length of the largest free block; 0 = exhausted
     */
    public record Status(PoolPhase phase, String allocatedCIDR, IPFamily ipFamily, Capacity capacity,
                         int largestFreePrefix, int utilizationPercent, List<Condition> conditions) {
        public Status {
            conditions = Immutable.list(conditions);
        }
    }

    /** Address counts, saturating at Long.MAX_VALUE (IPv6 pools). */
    public record Capacity(long total, long allocated, long available) {
    }
}
