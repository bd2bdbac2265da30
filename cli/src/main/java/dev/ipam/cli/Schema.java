package dev.ipam.cli;

import dev.ipam.client.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The field tree of each kind, for {@code ipamctl explain}: the contract of API.md, built into the
 * binary so that explain works offline and against any node.
 */
final class Schema {
    /** One field: dotted path, type, whether required, what it means. */
    record Field(String path, String type, boolean required, String description) {
        int depth() {
            return path.split("\\.").length;
        }

        String leaf() {
            return path.substring(path.lastIndexOf('.') + 1);
        }
    }

    private static final String COMMON = """
            apiVersion|string||The versioned schema of this object: GROUP/v1alpha1.
            kind|string||The kind of this object.
            metadata|Object||Standard object metadata.
            metadata.name|string|required|The object's name: a DNS-1123 subdomain, unique in its scope.
            metadata.namespace|string||The namespace (IPClaim and IPAllocation only; default "default").
            metadata.labels|map[string]string||Labels, used by selectors (-l) and pool selectors. May change.
            metadata.annotations|map[string]string||Free-form annotations. May change.
            metadata.uid|string||Unique id, set by the server.
            metadata.resourceVersion|string||The Raft log index of the object's last change, set by the server. An update must carry the current one.
            metadata.generation|integer||Spec generation, set by the server.
            metadata.creationTimestamp|string||When the object was created (RFC 3339), set by the server.
            """;

    private static final String IPPOOL = """
            spec|Object|required|What the pool is. Immutable once created, except allowedProjects.
            spec.cidr|string||Root pools (required): the block, a canonical CIDR with host bits zero, e.g. 10.0.0.0/16.
            spec.ipFamily|string||Root pools (required): IPv4 or IPv6, matching the CIDR. Child pools inherit it.
            spec.parentPoolRef|Object||Makes this a child pool carved from the named pool of the same project.
            spec.parentPoolRef.name|string|required|The parent pool's name.
            spec.prefixLength|integer||Child pools (required): the length of the block carved from the parent.
            spec.allocation|Object||Bounds and strategy for the claims of this pool.
            spec.allocation.minPrefixLength|integer||The shortest prefix (largest block) a claim may ask for.
            spec.allocation.maxPrefixLength|integer||The longest prefix (smallest block) a claim may ask for. min <= max.
            spec.allocation.strategy|string||FirstFit (default): lowest-addressed free block; BestFit: from the smallest free region that fits; LeastUtilized: from the child region with the most free space.
            spec.visibility|string||platform, consumer or shared. shared lets other projects claim from the pool.
            spec.allowedProjects|[]string||Projects granted use of a shared pool ("*" for every project). May change.
            status|Object||The pool's state, computed by the server. Read-only.
            status.phase|string||Pending, Ready, Exhausted or Error.
            status.allocatedCIDR|string||The block the pool covers (a child pool's carved block).
            status.ipFamily|string||The pool's family.
            status.capacity|Object||Address counts (saturating at 2^63-1 for large IPv6 pools).
            status.capacity.total|integer||Addresses in the pool.
            status.capacity.allocated|integer||Addresses held by claims and child pools.
            status.capacity.available|integer||Addresses free.
            status.largestFreePrefix|integer||The shortest prefix length still free (0 = exhausted).
            status.utilizationPercent|number||Share of the pool's addresses in use.
            status.conditions|[]Condition||metav1.Conditions keyed by type.
            """;

    private static final String IPCLAIM = """
            spec|Object|required|What the claim asks for. Immutable once created.
            spec.ipFamily|string|required|IPv4 or IPv6; must match the pool.
            spec.prefixLength|integer|required|The block's prefix length: 1..32 for IPv4, 1..128 for IPv6, within the pool's bounds.
            spec.poolRef|Object||The pool by name (exactly one of poolRef or poolSelector).
            spec.poolRef.name|string|required|The pool's name.
            spec.poolRef.projectRef|Object||The project holding the pool, when it is another project's shared pool.
            spec.poolRef.projectRef.name|string|required|The project's name.
            spec.poolSelector|Object||Chooses the first pool (by name) whose labels match and whose family fits.
            spec.poolSelector.matchLabels|map[string]string||Labels the pool must carry.
            spec.poolSelector.matchExpressions|[]Object||Label requirements: key, operator (In, NotIn, Exists, DoesNotExist), values.
            spec.poolSelector.projectRef|Object||Select among another project's shared pools.
            spec.cidr|string||Claim exactly this block (it must be free and inside the pool).
            spec.ownerRef|Object||An opaque reference to the owner (apiGroup, kind, name, namespace), kept as given.
            spec.reclaimPolicy|string||Delete (default): deleting the claim frees the block. Retain: the IPAllocation stays and keeps the block until deleted.
            status|Object||The claim's state. Read-only.
            status.phase|string||Pending, Bound, Releasing or Error. Claims are created Bound.
            status.allocatedCIDR|string||The block the claim holds.
            status.boundAllocationRef|Object||The IPAllocation recording the block.
            status.boundAllocationRef.name|string||Its name.
            status.conditions|[]Condition||metav1.Conditions keyed by type.
            """;

    private static final String IPALLOCATION = """
            spec|Object||Where the block was carved from. Set by the server.
            spec.ipFamily|string||IPv4 or IPv6.
            spec.poolRef|Object||The pool the block belongs to.
            spec.poolRef.name|string||The pool's name.
            spec.poolRef.projectRef|Object||The pool's project, when it is another project's.
            status|Object||Read-only.
            status.phase|string||Ready.
            status.allocatedCIDR|string||The block.
            status.conditions|[]Condition||metav1.Conditions keyed by type.
            """;

    private static final String PROJECT = """
            spec|Object||The project's settings.
            spec.quota|Object||Limits on what the project's claims may hold.
            spec.quota.claims|integer||The most live claims.
            spec.quota.ipv4Addresses|integer||The most IPv4 addresses held by claims.
            status|Object||Read-only.
            status.usage|Object||What the project's claims hold now.
            status.usage.claims|integer||Live claims.
            status.usage.ipv4Addresses|integer||IPv4 addresses held.
            """;

    private static final String DESCRIPTIONS = """
            IPPOOL|A block of address space that claims are carved from: a root pool over a CIDR, or a child pool carved from a parent. Cluster-scoped inside a project.
            IPCLAIM|A request for a block of a given family and prefix length from a pool (by name or by labels). Created Bound: the block is in status.allocatedCIDR.
            IPALLOCATION|The record of a block carved from a pool for a claim. Written only by the server; named alloc- + the first 8 bytes of sha256(namespace/claim) in hex.
            PROJECT|A tenant: every pool and claim lives in a project. Created and deleted by a cluster administrator.
            """;

    private Schema() {
    }

    /** Every field of a kind, in tree order. */
    static List<Field> fields(Kind kind) {
        String specific = switch (kind) {
            case IPPOOL -> IPPOOL;
            case IPCLAIM -> IPCLAIM;
            case IPALLOCATION -> IPALLOCATION;
            case PROJECT -> PROJECT;
        };
        List<Field> fields = new ArrayList<>();
        for (String line : (COMMON + specific).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\\|", 4);
            fields.add(new Field(parts[0].trim(), parts[1], parts[2].equals("required"), parts[3]));
        }
        return fields;
    }

    /** What a kind is. */
    static String description(Kind kind) {
        for (String line : DESCRIPTIONS.split("\n")) {
            if (line.startsWith(kind.name() + "|")) {
                return line.substring(kind.name().length() + 1);
            }
        }
        return "";
    }

    /** The text of {@code explain KIND[.field.path] [--recursive]}. */
    static String explain(Kind kind, String path, boolean recursive) {
        List<Field> all = fields(kind);
        StringBuilder out = new StringBuilder();
        out.append("GROUP:      ").append(kind.group()).append('\n');
        out.append("KIND:       ").append(kind.kindName()).append('\n');
        out.append("VERSION:    v1alpha1\n\n");
        String prefix = "";
        if (path == null || path.isEmpty()) {
            out.append("DESCRIPTION:\n    ").append(description(kind)).append("\n\n");
        } else {
            Field field = all.stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow(() ->
                    new UsageError("explain: field '" + path + "' does not exist in " + kind.kindName()
                            + "; try 'ipamctl explain " + kind.plural() + " --recursive'", ExitCodes.NOT_FOUND));
            out.append("FIELD: ").append(field.leaf()).append(" <").append(field.type()).append(">\n\n");
            out.append("DESCRIPTION:\n    ").append(field.description()).append("\n\n");
            prefix = path + ".";
        }
        int baseDepth = prefix.isEmpty() ? 0 : prefix.split("\\.").length;
        List<Field> children = new ArrayList<>();
        for (Field f : all) {
            if (f.path().startsWith(prefix) && (recursive || f.depth() == baseDepth + 1)) {
                children.add(f);
            }
        }
        if (children.isEmpty()) {
            return out.toString();
        }
        out.append("FIELDS:\n");
        for (Field f : children) {
            String indent = "  ".repeat(f.depth() - baseDepth);
            out.append(indent).append(f.leaf()).append("\t<").append(f.type()).append('>')
                    .append(f.required() ? " -required-" : "").append('\n');
            if (!recursive) {
                out.append(indent).append("  ").append(f.description()).append("\n\n");
            }
        }
        return out.toString();
    }
}
