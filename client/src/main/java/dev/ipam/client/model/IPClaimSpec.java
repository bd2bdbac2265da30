package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * What a claim asks for: a family, a prefix length, and exactly one of {@code poolRef} or
 * {@code poolSelector}. {@code cidr} (optional) asks for exactly that block; {@code reclaimPolicy}
 * is Delete (default) or Retain. Immutable once created.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPClaimSpec(String ipFamily, Integer prefixLength, PoolRef poolRef,
                          PoolSelector poolSelector, String cidr, ObjectRef ownerRef,
                          String reclaimPolicy) {

    /** A /prefixLength block of this family from the named pool of the caller's project. */
    public static IPClaimSpec fromPool(String pool, String ipFamily, int prefixLength) {
        return new IPClaimSpec(ipFamily, prefixLength, PoolRef.of(pool), null, null, null, null);
    }

    /** A /prefixLength block from the first pool whose labels match. */
    public static IPClaimSpec fromSelector(Map<String, String> labels, String ipFamily, int prefixLength) {
        return new IPClaimSpec(ipFamily, prefixLength, null, PoolSelector.matching(labels), null, null, null);
    }

    /** A copy asking for exactly this block. */
    public IPClaimSpec withCidr(String exactCidr) {
        return new IPClaimSpec(ipFamily, prefixLength, poolRef, poolSelector, exactCidr, ownerRef, reclaimPolicy);
    }

    /** A copy with this reclaim policy (Delete or Retain). */
    public IPClaimSpec withReclaimPolicy(String policy) {
        return new IPClaimSpec(ipFamily, prefixLength, poolRef, poolSelector, cidr, ownerRef, policy);
    }

    /** A copy with this owner reference. */
    public IPClaimSpec withOwnerRef(ObjectRef owner) {
        return new IPClaimSpec(ipFamily, prefixLength, poolRef, poolSelector, cidr, owner, reclaimPolicy);
    }

    /**
     * Whether a claim the server holds answers this request: same family, length, pool choice and
     * exact block (when one was asked), with an absent reclaim policy read as Delete. Used to
     * recognise our own earlier attempt after an ambiguous failure.
     */
    public boolean satisfiedBy(IPClaimSpec stored) {
        if (stored == null) {
            return false;
        }
        return Objects.equals(ipFamily, stored.ipFamily)
                && Objects.equals(prefixLength, stored.prefixLength)
                && Objects.equals(poolRef, stored.poolRef)
                && Objects.equals(poolSelector, stored.poolSelector)
                && (cidr == null || cidr.equals(stored.cidr))
                && policyOrDefault(reclaimPolicy).equals(policyOrDefault(stored.reclaimPolicy));
    }

    private static String policyOrDefault(String policy) {
        return policy == null ? "Delete" : policy;
    }
}
