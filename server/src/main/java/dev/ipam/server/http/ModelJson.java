package dev.ipam.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.core.model.Condition;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Resource;
import dev.ipam.core.model.SelectorOperator;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.model.Visibility;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Kubernetes JSON form of the core's records, both ways. Request bodies reach {@link #spec}
 * only after {@link Schema#check} passed, so types and enum values are already right here.
 */
final class ModelJson {
    private final Wire wire;

    ModelJson(Wire wire) {
        this.wire = wire;
    }

    // ---- records to JSON

    ObjectNode toJson(Resource resource) {
        Kind kind = Kind.of(resource.kind());
        ObjectNode node = wire.object();
        node.put("apiVersion", kind.apiVersion());
        node.put("kind", kind.kind);
        node.set("metadata", metadata(resource.metadata(), kind.namespaced));
        if (resource instanceof IPPool pool) {
            node.set("spec", poolSpec(pool.spec()));
            node.set("status", poolStatus(pool.status()));
        } else if (resource instanceof IPClaim claim) {
            node.set("spec", claimSpec(claim.spec()));
            node.set("status", claimStatus(claim.status()));
        } else if (resource instanceof IPAllocation allocation) {
            node.set("spec", allocationSpec(allocation.spec()));
            node.set("status", allocationStatus(allocation.status()));
        } else if (resource instanceof Project project) {
            node.set("spec", projectSpec(project.spec()));
            node.set("status", projectStatus(project.status()));
        }
        return node;
    }

    /**
     * RFC 3339 at second precision. The last second formatted is kept: nearly every timestamp in an
     * answer (creation, condition transitions) falls in the current second, and formatting an
     * {@code Instant} was ~9% of an HTTP worker's time on the claim path.
     */
    static String timestamp(long epochMs) {
        long second = Math.floorDiv(epochMs, 1000L);
        Stamp last = lastStamp;
        if (last != null && last.second == second) {
            return last.text;
        }
        String text = Instant.ofEpochSecond(second).toString();
        lastStamp = new Stamp(second, text);
        return text;
    }

    private record Stamp(long second, String text) {
    }

    /** The last timestamp formatted; racy by design (a stale pair is still a correct pair). */
    private static volatile Stamp lastStamp;

    // ---- records straight to JSON bytes (the same bytes as wire.write(toJson(resource), false))

    /**
     * {@link #toJson} written as JSON without building the tree: the answer to a create, get or
     * delete of one object, the hot path of the API. The bytes are those of
     * {@code wire.write(toJson(resource), false)}; {@code ModelJsonTest} compares both on every kind.
     */
    byte[] toJsonBytes(Resource resource) {
        com.fasterxml.jackson.core.util.ByteArrayBuilder out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(1024);
        try (JsonGenerator g = wire.json.getFactory().createGenerator(out)) {
            write(g, resource);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot encode " + resource.kind() + " " + resource.metadata().name(), e);
        }
        return out.toByteArray();
    }

    void write(JsonGenerator g, Resource resource) throws java.io.IOException {
        Kind kind = Kind.of(resource.kind());
        g.writeStartObject();
        g.writeStringField("apiVersion", kind.apiVersion());
        g.writeStringField("kind", kind.kind);
        g.writeFieldName("metadata");
        writeMetadata(g, resource.metadata(), kind.namespaced);
        if (resource instanceof IPPool pool) {
            writePoolSpec(g, pool.spec());
            writePoolStatus(g, pool.status());
        } else if (resource instanceof IPClaim claim) {
            writeClaimSpec(g, claim.spec());
            writeClaimStatus(g, claim.status());
        } else if (resource instanceof IPAllocation allocation) {
            writeAllocationSpec(g, allocation.spec());
            writeAllocationStatus(g, allocation.status());
        } else if (resource instanceof Project project) {
            writeProjectSpec(g, project.spec());
            writeProjectStatus(g, project.status());
        }
        g.writeEndObject();
    }

    private static void writeMetadata(JsonGenerator g, ObjectMeta meta, boolean namespaced) throws java.io.IOException {
        g.writeStartObject();
        g.writeStringField("name", meta.name());
        if (namespaced) {
            g.writeStringField("namespace", meta.namespace());
        }
        g.writeStringField("uid", meta.uid());
        g.writeStringField("resourceVersion", Long.toString(meta.resourceVersion()));
        g.writeNumberField("generation", meta.generation());
        g.writeStringField("creationTimestamp", timestamp(meta.creationTimestampMs()));
        if (!meta.labels().isEmpty()) {
            writeStringMap(g, "labels", meta.labels());
        }
        if (!meta.annotations().isEmpty()) {
            writeStringMap(g, "annotations", meta.annotations());
        }
        g.writeEndObject();
    }

    private static void writeStringMap(JsonGenerator g, String field, Map<String, String> map) throws java.io.IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> entry : map.entrySet()) {
            g.writeStringField(entry.getKey(), entry.getValue());
        }
        g.writeEndObject();
    }

    private static void writePoolSpec(JsonGenerator g, IPPool.Spec spec) throws java.io.IOException {
        g.writeObjectFieldStart("spec");
        if (spec != null) {
            writeText(g, "cidr", spec.cidr());
            writeEnum(g, "ipFamily", spec.ipFamily());
            if (spec.parentPoolRef() != null) {
                writeNameRef(g, "parentPoolRef", spec.parentPoolRef().name());
            }
            writeInt(g, "prefixLength", spec.prefixLength());
            if (spec.allocation() != null) {
                g.writeObjectFieldStart("allocation");
                writeInt(g, "minPrefixLength", spec.allocation().minPrefixLength());
                writeInt(g, "maxPrefixLength", spec.allocation().maxPrefixLength());
                writeEnum(g, "strategy", spec.allocation().strategy());
                g.writeEndObject();
            }
            writeEnum(g, "visibility", spec.visibility());
            if (!spec.allowedProjects().isEmpty()) {
                writeStrings(g, "allowedProjects", spec.allowedProjects());
            }
        }
        g.writeEndObject();
    }

    private static void writePoolStatus(JsonGenerator g, IPPool.Status status) throws java.io.IOException {
        g.writeObjectFieldStart("status");
        if (status != null) {
            writeEnum(g, "phase", status.phase());
            writeText(g, "allocatedCIDR", status.allocatedCIDR());
            writeEnum(g, "ipFamily", status.ipFamily());
            if (status.capacity() != null) {
                g.writeObjectFieldStart("capacity");
                g.writeNumberField("total", status.capacity().total());
                g.writeNumberField("allocated", status.capacity().allocated());
                g.writeNumberField("available", status.capacity().available());
                g.writeEndObject();
            }
            g.writeNumberField("largestFreePrefix", status.largestFreePrefix());
            g.writeNumberField("utilizationPercent", status.utilizationPercent());
            writeConditions(g, status.conditions());
        }
        g.writeEndObject();
    }

    private static void writeClaimSpec(JsonGenerator g, IPClaim.Spec spec) throws java.io.IOException {
        g.writeObjectFieldStart("spec");
        if (spec != null) {
            writeEnum(g, "ipFamily", spec.ipFamily());
            writeInt(g, "prefixLength", spec.prefixLength());
            if (spec.poolRef() != null) {
                writePoolRef(g, "poolRef", spec.poolRef());
            }
            if (spec.poolSelector() != null) {
                PoolSelector selector = spec.poolSelector();
                g.writeObjectFieldStart("poolSelector");
                if (!selector.matchLabels().isEmpty()) {
                    writeStringMap(g, "matchLabels", selector.matchLabels());
                }
                if (!selector.matchExpressions().isEmpty()) {
                    g.writeArrayFieldStart("matchExpressions");
                    for (PoolSelector.Requirement requirement : selector.matchExpressions()) {
                        g.writeStartObject();
                        g.writeStringField("key", requirement.key());
                        writeEnum(g, "operator", requirement.operator());
                        if (!requirement.values().isEmpty()) {
                            writeStrings(g, "values", requirement.values());
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                if (selector.projectRef() != null) {
                    writeNameRef(g, "projectRef", selector.projectRef().name());
                }
                g.writeEndObject();
            }
            writeText(g, "cidr", spec.cidr());
            if (spec.ownerRef() != null) {
                g.writeObjectFieldStart("ownerRef");
                writeText(g, "apiGroup", spec.ownerRef().apiGroup());
                writeText(g, "kind", spec.ownerRef().kind());
                writeText(g, "name", spec.ownerRef().name());
                writeText(g, "namespace", spec.ownerRef().namespace());
                g.writeEndObject();
            }
            writeEnum(g, "reclaimPolicy", spec.reclaimPolicy());
        }
        g.writeEndObject();
    }

    private static void writeClaimStatus(JsonGenerator g, IPClaim.Status status) throws java.io.IOException {
        g.writeObjectFieldStart("status");
        if (status != null) {
            writeEnum(g, "phase", status.phase());
            writeText(g, "allocatedCIDR", status.allocatedCIDR());
            if (status.boundAllocationRef() != null) {
                writeNameRef(g, "boundAllocationRef", status.boundAllocationRef().name());
            }
            if (status.poolRef() != null) {
                writePoolRef(g, "poolRef", status.poolRef());
            }
            writeConditions(g, status.conditions());
        }
        g.writeEndObject();
    }

    private static void writeAllocationSpec(JsonGenerator g, IPAllocation.Spec spec) throws java.io.IOException {
        g.writeObjectFieldStart("spec");
        if (spec != null) {
            writeEnum(g, "ipFamily", spec.ipFamily());
            if (spec.poolRef() != null) {
                writePoolRef(g, "poolRef", spec.poolRef());
            }
        }
        g.writeEndObject();
    }

    private static void writeAllocationStatus(JsonGenerator g, IPAllocation.Status status) throws java.io.IOException {
        g.writeObjectFieldStart("status");
        if (status != null) {
            writeEnum(g, "phase", status.phase());
            writeText(g, "allocatedCIDR", status.allocatedCIDR());
            if (status.claimRef() != null) {
                writeNameRef(g, "claimRef", status.claimRef().name());
            }
            writeConditions(g, status.conditions());
        }
        g.writeEndObject();
    }

    private static void writeProjectSpec(JsonGenerator g, Project.ProjectSpec spec) throws java.io.IOException {
        g.writeObjectFieldStart("spec");
        if (spec != null && spec.quota() != null) {
            g.writeObjectFieldStart("quota");
            if (spec.quota().claims() != null) {
                g.writeNumberField("claims", spec.quota().claims());
            }
            if (spec.quota().ipv4Addresses() != null) {
                g.writeNumberField("ipv4Addresses", spec.quota().ipv4Addresses());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeProjectStatus(JsonGenerator g, Project.ProjectStatus status) throws java.io.IOException {
        g.writeObjectFieldStart("status");
        if (status != null) {
            if (status.usage() != null) {
                g.writeObjectFieldStart("usage");
                g.writeNumberField("claims", status.usage().claims());
                g.writeNumberField("ipv4Addresses", status.usage().ipv4Addresses());
                g.writeNumberField("pools", status.usage().pools());
                g.writeEndObject();
            }
            writeConditions(g, status.conditions());
        }
        g.writeEndObject();
    }

    private static void writePoolRef(JsonGenerator g, String field, Refs.PoolRef ref) throws java.io.IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("name", ref.name());
        if (ref.projectRef() != null) {
            writeNameRef(g, "projectRef", ref.projectRef().name());
        }
        g.writeEndObject();
    }

    private static void writeNameRef(JsonGenerator g, String field, String name) throws java.io.IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("name", name);
        g.writeEndObject();
    }

    private static void writeConditions(JsonGenerator g, List<Condition> conditions) throws java.io.IOException {
        if (conditions.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("conditions");
        for (Condition condition : conditions) {
            g.writeStartObject();
            g.writeStringField("type", condition.type());
            writeEnum(g, "status", condition.status());
            if (condition.observedGeneration() != 0) {
                g.writeNumberField("observedGeneration", condition.observedGeneration());
            }
            g.writeStringField("lastTransitionTime", timestamp(condition.lastTransitionTimeMs()));
            g.writeStringField("reason", condition.reason());
            g.writeStringField("message", condition.message());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws java.io.IOException {
        g.writeArrayFieldStart(field);
        for (String value : values) {
            g.writeString(value);
        }
        g.writeEndArray();
    }

    private static void writeText(JsonGenerator g, String field, String value) throws java.io.IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    private static void writeEnum(JsonGenerator g, String field, Enum<?> value) throws java.io.IOException {
        if (value != null) {
            g.writeStringField(field, value.name());
        }
    }

    private static void writeInt(JsonGenerator g, String field, Integer value) throws java.io.IOException {
        if (value != null) {
            g.writeNumberField(field, value.intValue());
        }
    }

    private ObjectNode metadata(ObjectMeta meta, boolean namespaced) {
        ObjectNode node = wire.object();
        node.put("name", meta.name());
        if (namespaced) {
            node.put("namespace", meta.namespace());
        }
        node.put("uid", meta.uid());
        node.put("resourceVersion", Long.toString(meta.resourceVersion()));
        node.put("generation", meta.generation());
        node.put("creationTimestamp", timestamp(meta.creationTimestampMs()));
        if (!meta.labels().isEmpty()) {
            ObjectNode labels = node.putObject("labels");
            meta.labels().forEach(labels::put);
        }
        if (!meta.annotations().isEmpty()) {
            ObjectNode annotations = node.putObject("annotations");
            meta.annotations().forEach(annotations::put);
        }
        return node;
    }

    private ObjectNode poolSpec(IPPool.Spec spec) {
        ObjectNode node = wire.object();
        if (spec == null) {
            return node;
        }
        putText(node, "cidr", spec.cidr());
        putEnum(node, "ipFamily", spec.ipFamily());
        if (spec.parentPoolRef() != null) {
            node.putObject("parentPoolRef").put("name", spec.parentPoolRef().name());
        }
        putInt(node, "prefixLength", spec.prefixLength());
        if (spec.allocation() != null) {
            ObjectNode allocation = node.putObject("allocation");
            putInt(allocation, "minPrefixLength", spec.allocation().minPrefixLength());
            putInt(allocation, "maxPrefixLength", spec.allocation().maxPrefixLength());
            putEnum(allocation, "strategy", spec.allocation().strategy());
        }
        putEnum(node, "visibility", spec.visibility());
        if (!spec.allowedProjects().isEmpty()) {
            ArrayNode allowed = node.putArray("allowedProjects");
            spec.allowedProjects().forEach(allowed::add);
        }
        return node;
    }

    private ObjectNode poolStatus(IPPool.Status status) {
        ObjectNode node = wire.object();
        if (status == null) {
            return node;
        }
        putEnum(node, "phase", status.phase());
        putText(node, "allocatedCIDR", status.allocatedCIDR());
        putEnum(node, "ipFamily", status.ipFamily());
        if (status.capacity() != null) {
            node.putObject("capacity")
                    .put("total", status.capacity().total())
                    .put("allocated", status.capacity().allocated())
                    .put("available", status.capacity().available());
        }
        node.put("largestFreePrefix", status.largestFreePrefix());
        node.put("utilizationPercent", status.utilizationPercent());
        conditions(node, status.conditions());
        return node;
    }

    private ObjectNode claimSpec(IPClaim.Spec spec) {
        ObjectNode node = wire.object();
        if (spec == null) {
            return node;
        }
        putEnum(node, "ipFamily", spec.ipFamily());
        putInt(node, "prefixLength", spec.prefixLength());
        if (spec.poolRef() != null) {
            node.set("poolRef", poolRef(spec.poolRef()));
        }
        if (spec.poolSelector() != null) {
            PoolSelector selector = spec.poolSelector();
            ObjectNode sel = node.putObject("poolSelector");
            if (!selector.matchLabels().isEmpty()) {
                ObjectNode labels = sel.putObject("matchLabels");
                selector.matchLabels().forEach(labels::put);
            }
            if (!selector.matchExpressions().isEmpty()) {
                ArrayNode expressions = sel.putArray("matchExpressions");
                for (PoolSelector.Requirement requirement : selector.matchExpressions()) {
                    ObjectNode expression = expressions.addObject();
                    expression.put("key", requirement.key());
                    putEnum(expression, "operator", requirement.operator());
                    if (!requirement.values().isEmpty()) {
                        ArrayNode values = expression.putArray("values");
                        requirement.values().forEach(values::add);
                    }
                }
            }
            if (selector.projectRef() != null) {
                sel.putObject("projectRef").put("name", selector.projectRef().name());
            }
        }
        putText(node, "cidr", spec.cidr());
        if (spec.ownerRef() != null) {
            ObjectNode owner = node.putObject("ownerRef");
            putText(owner, "apiGroup", spec.ownerRef().apiGroup());
            putText(owner, "kind", spec.ownerRef().kind());
            putText(owner, "name", spec.ownerRef().name());
            putText(owner, "namespace", spec.ownerRef().namespace());
        }
        putEnum(node, "reclaimPolicy", spec.reclaimPolicy());
        return node;
    }

    private ObjectNode claimStatus(IPClaim.Status status) {
        ObjectNode node = wire.object();
        if (status == null) {
            return node;
        }
        putEnum(node, "phase", status.phase());
        putText(node, "allocatedCIDR", status.allocatedCIDR());
        if (status.boundAllocationRef() != null) {
            node.putObject("boundAllocationRef").put("name", status.boundAllocationRef().name());
        }
        if (status.poolRef() != null) {
            node.set("poolRef", poolRef(status.poolRef()));
        }
        conditions(node, status.conditions());
        return node;
    }

    private ObjectNode allocationSpec(IPAllocation.Spec spec) {
        ObjectNode node = wire.object();
        if (spec == null) {
            return node;
        }
        putEnum(node, "ipFamily", spec.ipFamily());
        if (spec.poolRef() != null) {
            node.set("poolRef", poolRef(spec.poolRef()));
        }
        return node;
    }

    private ObjectNode allocationStatus(IPAllocation.Status status) {
        ObjectNode node = wire.object();
        if (status == null) {
            return node;
        }
        putEnum(node, "phase", status.phase());
        putText(node, "allocatedCIDR", status.allocatedCIDR());
        if (status.claimRef() != null) {
            node.putObject("claimRef").put("name", status.claimRef().name());
        }
        conditions(node, status.conditions());
        return node;
    }

    private ObjectNode projectSpec(Project.ProjectSpec spec) {
        ObjectNode node = wire.object();
        if (spec != null && spec.quota() != null) {
            ObjectNode quota = node.putObject("quota");
            if (spec.quota().claims() != null) {
                quota.put("claims", spec.quota().claims());
            }
            if (spec.quota().ipv4Addresses() != null) {
                quota.put("ipv4Addresses", spec.quota().ipv4Addresses());
            }
        }
        return node;
    }

    private ObjectNode projectStatus(Project.ProjectStatus status) {
        ObjectNode node = wire.object();
        if (status == null) {
            return node;
        }
        if (status.usage() != null) {
            node.putObject("usage")
                    .put("claims", status.usage().claims())
                    .put("ipv4Addresses", status.usage().ipv4Addresses())
                    .put("pools", status.usage().pools());
        }
        conditions(node, status.conditions());
        return node;
    }

    private ObjectNode poolRef(Refs.PoolRef ref) {
        ObjectNode node = wire.object();
        node.put("name", ref.name());
        if (ref.projectRef() != null) {
            node.putObject("projectRef").put("name", ref.projectRef().name());
        }
        return node;
    }

    private void conditions(ObjectNode node, List<Condition> conditions) {
        if (conditions.isEmpty()) {
            return;
        }
        ArrayNode array = node.putArray("conditions");
        for (Condition condition : conditions) {
            ObjectNode c = array.addObject();
            c.put("type", condition.type());
            putEnum(c, "status", condition.status());
            if (condition.observedGeneration() != 0) {
                c.put("observedGeneration", condition.observedGeneration());
            }
            c.put("lastTransitionTime", timestamp(condition.lastTransitionTimeMs()));
            c.put("reason", condition.reason());
            c.put("message", condition.message());
        }
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putEnum(ObjectNode node, String field, Enum<?> value) {
        if (value != null) {
            node.put(field, value.name());
        }
    }

    private static void putInt(ObjectNode node, String field, Integer value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    // ---- JSON to records (bodies already checked against the schema)

    static SortedMap<String, String> stringMap(JsonNode node) {
        SortedMap<String, String> map = new TreeMap<>();
        if (node != null && node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getValue().isNull()) {
                    map.put(field.getKey(), field.getValue().asText());
                }
            }
        }
        return map;
    }

    IPPool.Spec poolSpec(JsonNode spec) {
        JsonNode allocation = spec.path("allocation");
        IPPool.AllocationSettings settings = allocation.isObject()
                ? new IPPool.AllocationSettings(integer(allocation, "minPrefixLength"),
                integer(allocation, "maxPrefixLength"), enumValue(Strategy.class, allocation, "strategy"))
                : null;
        return new IPPool.Spec(text(spec, "cidr"), enumValue(IPFamily.class, spec, "ipFamily"),
                localRef(spec.path("parentPoolRef")), integer(spec, "prefixLength"), settings,
                enumValue(Visibility.class, spec, "visibility"), strings(spec.path("allowedProjects")));
    }

    IPClaim.Spec claimSpec(JsonNode spec) {
        JsonNode owner = spec.path("ownerRef");
        Refs.ObjectRef ownerRef = owner.isObject()
                ? new Refs.ObjectRef(text(owner, "apiGroup"), text(owner, "kind"), text(owner, "name"),
                text(owner, "namespace"))
                : null;
        return new IPClaim.Spec(enumValue(IPFamily.class, spec, "ipFamily"), integer(spec, "prefixLength"),
                poolRef(spec.path("poolRef")), poolSelector(spec.path("poolSelector")), text(spec, "cidr"), ownerRef,
                enumValue(ReclaimPolicy.class, spec, "reclaimPolicy"));
    }

    Project.ProjectSpec projectSpec(JsonNode spec) {
        JsonNode quota = spec.path("quota");
        if (!quota.isObject()) {
            return new Project.ProjectSpec(null);
        }
        return new Project.ProjectSpec(new Project.Quota(longValue(quota, "claims"), longValue(quota, "ipv4Addresses")));
    }

    private static PoolSelector poolSelector(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        List<PoolSelector.Requirement> requirements = new ArrayList<>();
        for (JsonNode expression : node.path("matchExpressions")) {
            requirements.add(new PoolSelector.Requirement(text(expression, "key"),
                    enumValue(SelectorOperator.class, expression, "operator"), strings(expression.path("values"))));
        }
        JsonNode project = node.path("projectRef");
        return new PoolSelector(stringMap(node.get("matchLabels")), requirements,
                project.isObject() ? new Refs.ProjectRef(text(project, "name")) : null);
    }

    private static Refs.PoolRef poolRef(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        JsonNode project = node.path("projectRef");
        return new Refs.PoolRef(text(node, "name"), project.isObject() ? new Refs.ProjectRef(text(project, "name")) : null);
    }

    private static Refs.LocalRef localRef(JsonNode node) {
        return node.isObject() ? new Refs.LocalRef(text(node, "name")) : null;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : node) {
            values.add(value.asText());
        }
        return values;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asInt();
    }

    private static Long longValue(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asLong();
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode node, String field) {
        String value = text(node, field);
        return value == null ? null : Enum.valueOf(type, value);
    }

    // ---- fields for selectors, straight from the records

    /** The value of a selectable field, "" when absent (as upstream field selectors see it). */
    static String field(Resource resource, String path) {
        String value = null;
        if (path.equals("metadata.name")) {
            value = resource.metadata().name();
        } else if (path.equals("metadata.namespace")) {
            value = resource.metadata().namespace();
        } else if (resource instanceof IPPool pool) {
            IPPool.Spec spec = pool.spec();
            IPPool.Status status = pool.status();
            value = switch (path) {
                case "spec.ipFamily" -> name(spec == null ? null : spec.ipFamily(), status == null ? null : status.ipFamily());
                case "spec.parentPoolRef.name" -> spec == null || spec.parentPoolRef() == null ? null : spec.parentPoolRef().name();
                case "status.phase" -> status == null ? null : name(status.phase(), null);
                default -> null;
            };
        } else if (resource instanceof IPClaim claim) {
            IPClaim.Spec spec = claim.spec();
            IPClaim.Status status = claim.status();
            value = switch (path) {
                case "spec.ipFamily" -> spec == null ? null : name(spec.ipFamily(), null);
                case "spec.poolRef.name" -> spec != null && spec.poolRef() != null ? spec.poolRef().name()
                        : status != null && status.poolRef() != null ? status.poolRef().name() : null;
                case "status.phase" -> status == null ? null : name(status.phase(), null);
                default -> null;
            };
        } else if (resource instanceof IPAllocation allocation) {
            IPAllocation.Spec spec = allocation.spec();
            IPAllocation.Status status = allocation.status();
            value = switch (path) {
                case "spec.ipFamily" -> spec == null ? null : name(spec.ipFamily(), null);
                case "spec.poolRef.name" -> spec == null || spec.poolRef() == null ? null : spec.poolRef().name();
                case "status.phase" -> status == null ? null : name(status.phase(), null);
                default -> null;
            };
        }
        return value == null ? "" : value;
    }

    private static String name(Enum<?> value, Enum<?> fallback) {
        return value != null ? value.name() : fallback != null ? fallback.name() : null;
    }
}
