package dev.ipam.cli;

import dev.ipam.client.Cidr;
import dev.ipam.client.model.AllocationPolicy;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.IPPoolSpec;
import dev.ipam.client.model.LocalRef;
import dev.ipam.client.model.PoolRef;
import dev.ipam.client.model.PoolSelector;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the flags of the pool/prefix shortcuts into specs, refusing combinations that cannot work
 * with a message that names the flags and the fix.
 */
final class Shortcuts {
    private static final Set<String> FAMILIES = Set.of("IPv4", "IPv6");
    private static final Set<String> STRATEGIES = Set.of("FirstFit", "BestFit", "LeastUtilized");
    private static final Set<String> VISIBILITIES = Set.of("platform", "consumer", "shared");
    private static final Set<String> POLICIES = Set.of("Delete", "Retain");

    private Shortcuts() {
    }

    /** The spec of {@code pool create}: a root pool (--cidr) or a child pool (--parent with --length). */
    static IPPoolSpec poolSpec(String cidr, String family, String parent, Integer length, String strategy, Integer minLength,
                               Integer maxLength, String visibility, List<String> allowedProjects) {
        if ((cidr == null) == (parent == null)) {
            throw new UsageError("pool create: give --cidr CIDR for a root pool or --parent POOL --length N for a child pool (exactly one)");
        }
        String familyName = family == null ? null : canonical(family, FAMILIES, "--family");
        IPPoolSpec spec;
        if (cidr != null) {
            if (length != null) {
                throw new UsageError("pool create: --length is for child pools (--parent); a root pool's size is its --cidr");
            }
            Cidr block = parseCidr(cidr, "--cidr");
            if (!block.canonical()) {
                throw new UsageError("--cidr " + cidr + ": host bits are set; did you mean " + block + "?", ExitCodes.INVALID);
            }
            if (familyName != null && !familyName.equals(block.family())) {
                throw new UsageError("--family " + familyName + " does not match --cidr " + cidr + " (" + block.family() + "); drop --family", ExitCodes.INVALID);
            }
            spec = IPPoolSpec.root(block.toString(), block.family());
        } else {
            if (length == null) {
                throw new UsageError("pool create: a child pool (--parent " + parent + ") needs --length N, the prefix length of its block");
            }
            if (familyName != null) {
                throw new UsageError("pool create: --family is inherited from the parent pool; drop it");
            }
            spec = IPPoolSpec.child(parent, length);
        }
        if (strategy != null || minLength != null || maxLength != null) {
            if (minLength != null && maxLength != null && minLength > maxLength) {
                throw new UsageError("--min-length " + minLength + " is longer than --max-length " + maxLength + "; min must be <= max", ExitCodes.INVALID);
            }
            spec = spec.withAllocation(new AllocationPolicy(minLength, maxLength,
                    strategy == null ? null : canonical(strategy, STRATEGIES, "--strategy")));
        }
        if (allowedProjects != null && !allowedProjects.isEmpty()) {
            if (visibility != null && !visibility.equalsIgnoreCase("shared")) {
                throw new UsageError("--allowed-project needs --visibility shared (or leave --visibility out)");
            }
            spec = spec.sharedWith(allowedProjects);
        } else if (visibility != null) {
            spec = new IPPoolSpec(spec.cidr(), spec.ipFamily(), spec.parentPoolRef(), spec.prefixLength(), spec.allocation(),
                    canonical(visibility, VISIBILITIES, "--visibility"), null);
        }
        return spec;
    }

    /**
     * The spec of {@code prefix claim}. The family comes from --family, else --cidr, else the
     * pool's own family ({@code poolFamily}, looked up by the caller), else IPv4.
     */
    static IPClaimSpec claimSpec(String pool, Map<String, String> selector, String poolProject, Integer length, String cidr,
                                 String family, String poolFamily, String reclaimPolicy) {
        if ((pool == null) == selector.isEmpty()) {
            throw new UsageError("prefix claim: give --pool NAME or -l key=value to choose the pool (exactly one)");
        }
        if (length == null && cidr == null) {
            throw new UsageError("prefix claim: give --length N (a block of that prefix length) or --cidr CIDR (exactly that block)");
        }
        String familyName = family == null ? null : canonical(family, FAMILIES, "--family");
        String exact = null;
        int prefixLength;
        if (cidr != null) {
            Cidr block = parseCidr(cidr, "--cidr");
            if (!block.canonical()) {
                throw new UsageError("--cidr " + cidr + ": host bits are set; did you mean " + block + "?", ExitCodes.INVALID);
            }
            if (length != null && length != block.prefixLength()) {
                throw new UsageError("--length " + length + " does not match --cidr " + cidr + "; drop --length", ExitCodes.INVALID);
            }
            if (familyName != null && !familyName.equals(block.family())) {
                throw new UsageError("--family " + familyName + " does not match --cidr " + cidr + "; drop --family", ExitCodes.INVALID);
            }
            familyName = block.family();
            exact = block.toString();
            prefixLength = block.prefixLength();
        } else {
            prefixLength = length;
        }
        if (familyName == null) {
            familyName = poolFamily != null ? poolFamily : "IPv4";
        }
        int bits = familyName.equals("IPv4") ? 32 : 128;
        if (prefixLength < 1 || prefixLength > bits) {
            throw new UsageError("--length " + prefixLength + ": must be 1.." + bits + " for " + familyName, ExitCodes.INVALID);
        }
        LocalRef project = poolProject == null ? null : new LocalRef(poolProject);
        return new IPClaimSpec(familyName, prefixLength, pool == null ? null : new PoolRef(pool, project),
                pool == null ? new PoolSelector(selector, null, project) : null, exact, null,
                reclaimPolicy == null ? null : canonical(reclaimPolicy, POLICIES, "--reclaim-policy"));
    }

    private static Cidr parseCidr(String text, String flag) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageError(flag + ": " + e.getMessage(), ExitCodes.INVALID);
        }
    }

    /** The accepted spelling of an enum value, matched case-insensitively. */
    private static String canonical(String value, Set<String> allowed, String flag) {
        return allowed.stream().filter(a -> a.equalsIgnoreCase(value)).findFirst().orElseThrow(() ->
                new UsageError(flag + ": '" + value + "' is not one of " + allowed.stream().sorted().toList()));
    }
}
