package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.Cidr;
import dev.ipam.client.Codec;
import dev.ipam.client.Kind;
import dev.ipam.client.model.Condition;
import dev.ipam.client.model.IPAllocation;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.ObjectMeta;
import dev.ipam.client.model.Project;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The human-readable {@code describe} of each kind. */
final class Describer {
    private final StringBuilder out = new StringBuilder();

    /** The text for one object; for a pool, {@code blocks} are the allocations and child pools inside it. */
    static String describe(Kind kind, JsonNode node, List<JsonNode> allocations, List<JsonNode> childPools) {
        Describer d = new Describer();
        switch (kind) {
            case IPPOOL -> d.pool(Codec.convert(node, IPPool.class), allocations, childPools);
            case IPCLAIM -> d.claim(Codec.convert(node, IPClaim.class));
            case IPALLOCATION -> d.allocation(Codec.convert(node, IPAllocation.class));
            case PROJECT -> d.project(Codec.convert(node, Project.class));
        }
        return d.out.toString();
    }

    private void meta(Kind kind, ObjectMeta meta) {
        line(0, "Name", meta.name());
        if (kind.namespaced()) {
            line(0, "Namespace", meta.namespace());
        }
        line(0, "Labels", map(meta.labels()));
        line(0, "Annotations", map(meta.annotations()));
        line(0, "API Version", kind.apiVersion());
        line(0, "Kind", kind.kindName());
        line(0, "Created", meta.creationTimestamp());
        line(0, "Resource Version", meta.resourceVersion());
    }

    private void pool(IPPool pool, List<JsonNode> allocations, List<JsonNode> childPools) {
        meta(Kind.IPPOOL, pool.metadata());
        var spec = pool.spec();
        out.append("Spec:\n");
        if (spec != null) {
            line(1, "CIDR", spec.cidr());
            line(1, "IP Family", spec.ipFamily());
            if (spec.parentPoolRef() != null) {
                line(1, "Parent Pool", spec.parentPoolRef().name());
                line(1, "Prefix Length", spec.prefixLength() == null ? null : "/" + spec.prefixLength());
            }
            var allocation = spec.allocation();
            line(1, "Strategy", allocation == null || allocation.strategy() == null ? "FirstFit" : allocation.strategy());
            if (allocation != null && (allocation.minPrefixLength() != null || allocation.maxPrefixLength() != null)) {
                line(1, "Claim Lengths", "/" + (allocation.minPrefixLength() == null ? "any" : allocation.minPrefixLength())
                        + " to /" + (allocation.maxPrefixLength() == null ? "any" : allocation.maxPrefixLength()));
            }
            line(1, "Visibility", spec.visibility());
            if (spec.allowedProjects() != null) {
                line(1, "Allowed Projects", String.join(", ", spec.allowedProjects()));
            }
        }
        var status = pool.status();
        out.append("Status:\n");
        String cidrText = Tables.cidrOf(pool);
        Cidr cidr = cidrText.isEmpty() ? null : Cidr.parse(cidrText);
        List<Cidr> blocks = new ArrayList<>();
        allocations.forEach(a -> blocks.add(Cidr.parse(a.path("status").path("allocatedCIDR").asText())));
        childPools.forEach(c -> blocks.add(Cidr.parse(c.path("status").path("allocatedCIDR").asText())));
        OccupancyMap map = cidr == null ? null : new OccupancyMap(cidr, blocks);
        if (status != null) {
            line(1, "Phase", status.phase());
            line(1, "Allocated CIDR", status.allocatedCIDR());
            if (status.capacity() != null) {
                line(1, "Capacity", Tables.count(status.capacity().total()) + " addresses: "
                        + Tables.count(status.capacity().allocated()) + " allocated, "
                        + Tables.count(status.capacity().available()) + " available");
            }
            line(1, "Utilization", status.utilizationPercent() == null ? null : Tables.percent(status.utilizationPercent()) + "%");
            String largest = status.largestFreePrefix() == null ? null
                    : status.largestFreePrefix() == 0 ? "none (exhausted)" : "/" + status.largestFreePrefix();
            if (map != null) {
                largest = map.largestFree().map(b -> "/" + b.prefixLength() + " (" + b + ")").orElse("none (exhausted)");
            }
            line(1, "Largest Free", largest);
            conditions(status.conditions());
        }
        if (map != null) {
            map.render().forEach(l -> out.append(l).append('\n'));
        }
        out.append("Allocations (").append(allocations.size()).append("):\n");
        if (allocations.isEmpty()) {
            out.append("  <none>\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("  NAMESPACE", "NAME", "CIDR", "PHASE"));
            for (JsonNode a : allocations) {
                rows.add(List.of("  " + a.path("metadata").path("namespace").asText(""), a.path("metadata").path("name").asText(""),
                        a.path("status").path("allocatedCIDR").asText(""), a.path("status").path("phase").asText("")));
            }
            out.append(Tables.layout(rows));
        }
        if (!childPools.isEmpty()) {
            out.append("Child Pools (").append(childPools.size()).append("):\n");
            for (JsonNode c : childPools) {
                out.append("  ").append(c.path("metadata").path("name").asText()).append("   ")
                        .append(c.path("status").path("allocatedCIDR").asText()).append('\n');
            }
        }
    }

    private void claim(IPClaim claim) {
        meta(Kind.IPCLAIM, claim.metadata());
        var spec = claim.spec();
        out.append("Spec:\n");
        if (spec != null) {
            line(1, "IP Family", spec.ipFamily());
            line(1, "Prefix Length", spec.prefixLength() == null ? null : "/" + spec.prefixLength());
            if (spec.poolRef() != null) {
                line(1, "Pool", spec.poolRef().name()
                        + (spec.poolRef().projectRef() == null ? "" : " (project " + spec.poolRef().projectRef().name() + ")"));
            }
            if (spec.poolSelector() != null) {
                line(1, "Pool Selector", map(spec.poolSelector().matchLabels())
                        + (spec.poolSelector().projectRef() == null ? "" : " (project " + spec.poolSelector().projectRef().name() + ")"));
            }
            line(1, "Requested CIDR", spec.cidr());
            line(1, "Reclaim Policy", spec.reclaimPolicy() == null ? "Delete" : spec.reclaimPolicy());
            if (spec.ownerRef() != null) {
                line(1, "Owner", spec.ownerRef().kind() + "/" + spec.ownerRef().name());
            }
        }
        out.append("Status:\n");
        if (claim.status() != null) {
            line(1, "Phase", claim.status().phase());
            line(1, "Allocated CIDR", claim.status().allocatedCIDR());
            if (claim.cidr() != null) {
                Cidr block = Cidr.parse(claim.cidr());
                line(1, "Addresses", Cidr.format(block.network(), block.bits()) + " - " + Cidr.format(block.last(), block.bits())
                        + " (" + block.size() + ")");
            }
            line(1, "Allocation", claim.status().boundAllocationRef() == null ? null : claim.status().boundAllocationRef().name());
            conditions(claim.status().conditions());
        }
    }

    private void allocation(IPAllocation allocation) {
        meta(Kind.IPALLOCATION, allocation.metadata());
        out.append("Spec:\n");
        if (allocation.spec() != null) {
            line(1, "IP Family", allocation.spec().ipFamily());
            line(1, "Pool", allocation.spec().poolRef() == null ? null : allocation.spec().poolRef().name());
        }
        out.append("Status:\n");
        if (allocation.status() != null) {
            line(1, "Phase", allocation.status().phase());
            line(1, "Allocated CIDR", allocation.status().allocatedCIDR());
            conditions(allocation.status().conditions());
        }
    }

    private void project(Project project) {
        meta(Kind.PROJECT, project.metadata());
        var quota = project.spec() == null ? null : project.spec().quota();
        out.append("Quota:\n");
        line(1, "Claims", quota == null || quota.claims() == null ? "none" : Tables.count(quota.claims()));
        line(1, "IPv4 Addresses", quota == null || quota.ipv4Addresses() == null ? "none" : Tables.count(quota.ipv4Addresses()));
        var usage = project.status() == null ? null : project.status().usage();
        out.append("Usage:\n");
        line(1, "Claims", usage == null ? null : Tables.count(usage.claims()));
        line(1, "IPv4 Addresses", usage == null ? null : Tables.count(usage.ipv4Addresses()));
    }

    private void conditions(List<Condition> conditions) {
        if (conditions == null || conditions.isEmpty()) {
            return;
        }
        out.append("  Conditions:\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("    TYPE", "STATUS", "REASON", "MESSAGE"));
        for (Condition c : conditions) {
            rows.add(List.of("    " + nonNull(c.type()), nonNull(c.status()), nonNull(c.reason()), nonNull(c.message())));
        }
        out.append(Tables.layout(rows));
    }

    private void line(int indent, String label, String value) {
        if (value == null) {
            return;
        }
        String key = "  ".repeat(indent) + label + ":";
        out.append(key).append(" ".repeat(Math.max(1, 20 - key.length()))).append(value).append('\n');
    }

    private static String map(Map<String, String> values) {
        return values == null || values.isEmpty() ? "<none>" : Labels.format(new TreeMap<>(values));
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

}
