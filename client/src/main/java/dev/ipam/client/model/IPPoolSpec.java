package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a pool is. A root pool has {@code cidr} and {@code ipFamily}; a child pool has
 * {@code parentPoolRef} and {@code prefixLength} and inherits the family. {@code cidr},
 * {@code parentPoolRef} and the family are immutable; {@code allowedProjects} may change.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPPoolSpec(String cidr, String ipFamily, LocalRef parentPoolRef, Integer prefixLength,
                         AllocationPolicy allocation, String visibility, List<String> allowedProjects) {

    /** A root pool over this CIDR. */
    public static IPPoolSpec root(String cidr, String ipFamily) {
        return new IPPoolSpec(cidr, ipFamily, null, null, null, null, null);
    }

    /** A child pool: a /prefixLength block carved from the parent pool. */
    public static IPPoolSpec child(String parentPool, int prefixLength) {
        return new IPPoolSpec(null, null, new LocalRef(parentPool), prefixLength, null, null, null);
    }

    /** A copy with this allocation policy. */
    public IPPoolSpec withAllocation(AllocationPolicy policy) {
        return new IPPoolSpec(cidr, ipFamily, parentPoolRef, prefixLength, policy, visibility, allowedProjects);
    }

    /** A copy shared ({@code visibility: shared}) with these projects ({@code "*"} for all). */
    public IPPoolSpec sharedWith(List<String> projects) {
        return new IPPoolSpec(cidr, ipFamily, parentPoolRef, prefixLength, allocation, "shared", projects);
    }
}
