package dev.ipam.server.http;

import static dev.ipam.server.http.Schema.arrayOf;
import static dev.ipam.server.http.Schema.dateTime;
import static dev.ipam.server.http.Schema.enumOf;
import static dev.ipam.server.http.Schema.int32;
import static dev.ipam.server.http.Schema.int64;
import static dev.ipam.server.http.Schema.mapOf;
import static dev.ipam.server.http.Schema.object;
import static dev.ipam.server.http.Schema.ref;
import static dev.ipam.server.http.Schema.string;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published schema of the four kinds (OpenAPI v3 per group-version, and v2), built from the same
 * {@link Schema} trees that strict decoding checks bodies against. kubectl reads it for
 * {@code explain}, for the {@code fieldValidation} support check (so it validates server-side), and
 * to pick the patch type of {@code apply} (no strategic merge is advertised, so it sends a JSON merge
 * patch, as for CRDs).
 */
final class OpenApi {
    static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    static final String CONDITION = "io.k8s.apimachinery.pkg.apis.meta.v1.Condition";
    static final String STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

    private final Wire wire;
    private final Map<String, Schema> definitions = new LinkedHashMap<>();
    private final Map<Kind, Schema> kinds = new LinkedHashMap<>();

    OpenApi(Wire wire) {
        this.wire = wire;
        definitions.put(OBJECT_META, objectMeta());
        definitions.put(CONDITION, condition());
        definitions.put(STATUS, status());
        kinds.put(Kind.IPPOOL, top(Kind.IPPOOL, "IPPool is a block of addresses that claims and child pools are carved from.",
                poolSpec(), poolStatus()));
        kinds.put(Kind.IPCLAIM, top(Kind.IPCLAIM, "IPClaim asks for a block of a given prefix length from a pool; "
                + "the block is bound synchronously on create.", claimSpec(), claimStatus()));
        kinds.put(Kind.IPALLOCATION, top(Kind.IPALLOCATION, "IPAllocation records a block handed out to a claim. "
                + "Written only by the server.", allocationSpec(), allocationStatus()));
        kinds.put(Kind.PROJECT, top(Kind.PROJECT, "Project is a tenant with its own control plane and optional quota.",
                projectSpec(), projectStatus()));
        kinds.forEach((kind, schema) -> definitions.put(definitionName(kind), schema));
    }

    /** The schema a body of this kind is checked against. */
    Schema schema(Kind kind) {
        return kinds.get(kind);
    }

    Map<String, Schema> definitions() {
        return definitions;
    }

    static String definitionName(Kind kind) {
        String[] group = kind.group.split("\\.");
        StringBuilder name = new StringBuilder();
        for (int i = group.length - 1; i >= 0; i--) {
            name.append(group[i]).append('.');
        }
        return name.append(Kind.VERSION).append('.').append(kind.kind).toString();
    }

    // ---- the documents

    /** GET /openapi/v3: where each group-version's document is (URLs under /openapi/v3 keep the client's prefix). */
    ObjectNode v3Index(List<String> groups) {
        ObjectNode index = wire.object();
        ObjectNode paths = index.putObject("paths");
        for (String group : groups) {
            String key = "apis/" + group + "/" + Kind.VERSION;
            paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash(v3(group)));
        }
        return index;
    }

    /** GET /openapi/v3/apis/{group}/v1alpha1. */
    ObjectNode v3(String group) {
        ObjectNode doc = wire.object();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "ipam").put("version", Kind.VERSION);
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        String prefix = "#/components/schemas/";
        for (String shared : List.of(OBJECT_META, CONDITION, STATUS)) {
            schemas.set(shared, definitions.get(shared).toOpenApi(wire, prefix));
        }
        for (Kind kind : Kind.values()) {
            if (!kind.group.equals(group)) {
                continue;
            }
            ObjectNode schema = kinds.get(kind).toOpenApi(wire, prefix);
            gvk(schema, kind);
            schemas.set(definitionName(kind), schema);
            ObjectNode list = wire.object();
            list.put("description", kind.listKind() + " is a list of " + kind.kind + ".");
            list.put("type", "object");
            ObjectNode props = list.putObject("properties");
            props.putObject("apiVersion").put("type", "string");
            props.putObject("kind").put("type", "string");
            props.putObject("metadata").put("type", "object");
            props.putObject("items").put("type", "array").putObject("items").put("$ref", prefix + definitionName(kind));
            list.putArray("required").add("items");
            gvkList(list, kind);
            schemas.set(definitionName(kind) + "List", list);
            addPaths(paths, kind, prefix);
        }
        return doc;
    }

    /** GET /openapi/v2 (JSON): the same definitions in Swagger 2.0 form. */
    ObjectNode v2() {
        ObjectNode doc = wire.object();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "ipam").put("version", Kind.VERSION);
        doc.putObject("paths");
        ObjectNode defs = doc.putObject("definitions");
        String prefix = "#/definitions/";
        for (String shared : List.of(OBJECT_META, CONDITION, STATUS)) {
            defs.set(shared, definitions.get(shared).toOpenApi(wire, prefix));
        }
        for (Kind kind : Kind.values()) {
            ObjectNode schema = kinds.get(kind).toOpenApi(wire, prefix);
            gvk(schema, kind);
            defs.set(definitionName(kind), schema);
        }
        return doc;
    }

    private void addPaths(ObjectNode paths, Kind kind, String prefix) {
        String base = "/apis/" + kind.group + "/" + Kind.VERSION;
        String collection = kind.namespaced ? base + "/namespaces/{namespace}/" + kind.plural : base + "/" + kind.plural;
        String ref = prefix + definitionName(kind);
        ObjectNode coll = paths.putObject(collection);
        coll.set("get", operation(kind, "list", "list objects of kind " + kind.kind, ref + "List", false,
                "labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch", "watch",
                "allowWatchBookmarks", "sendInitialEvents", "timeoutSeconds"));
        if (kind.creatable) {
            coll.set("post", operation(kind, "post", "create " + kind.singular, ref, true, "dryRun", "fieldValidation",
                    "fieldManager"));
        }
        coll.set("delete", operation(kind, "deletecollection", "delete a collection of " + kind.kind, prefix + STATUS,
                false, "labelSelector", "fieldSelector", "dryRun"));
        ObjectNode item = paths.putObject(collection + "/{name}");
        item.set("get", operation(kind, "get", "read the specified " + kind.kind, ref, false, "resourceVersion"));
        {
            item.set("put", operation(kind, "put", "replace the specified " + kind.kind, ref, true, "dryRun",
                    "fieldValidation", "fieldManager"));
            ObjectNode patch = operation(kind, "patch", "partially update the specified " + kind.kind, ref, false,
                    "dryRun", "fieldValidation", "fieldManager", "force");
            ObjectNode content = patch.putObject("requestBody").putObject("content");
            for (String type : List.of("application/merge-patch+json", "application/apply-patch+yaml")) {
                content.putObject(type).putObject("schema").put("type", "object");
            }
            item.set("patch", patch);
        }
        item.set("delete", operation(kind, "delete", "delete the specified " + kind.kind, prefix + STATUS, false,
                "dryRun"));
        ArrayNode params = item.putArray("parameters");
        params.addObject().put("name", "name").put("in", "path").put("required", true)
                .put("description", "name of the " + kind.kind).putObject("schema").put("type", "string");
        if (kind.namespaced) {
            ArrayNode collParams = coll.putArray("parameters");
            for (ArrayNode target : List.of(params, collParams)) {
                target.addObject().put("name", "namespace").put("in", "path").put("required", true)
                        .put("description", "object name and auth scope, such as for teams and projects")
                        .putObject("schema").put("type", "string");
            }
        }
    }

    private ObjectNode operation(Kind kind, String action, String description, String responseRef, boolean body,
                                 String... parameters) {
        ObjectNode op = wire.object();
        op.put("description", description);
        op.put("operationId", action + kind.kind);
        ArrayNode params = op.putArray("parameters");
        for (String parameter : parameters) {
            ObjectNode p = params.addObject();
            p.put("name", parameter).put("in", "query").put("uniqueItems", true);
            String type = switch (parameter) {
                case "limit", "timeoutSeconds" -> "integer";
                case "watch", "allowWatchBookmarks", "sendInitialEvents", "force" -> "boolean";
                default -> "string";
            };
            p.putObject("schema").put("type", type);
        }
        if (body) {
            ObjectNode content = op.putObject("requestBody").putObject("content");
            for (String type : List.of("application/json", "application/yaml")) {
                content.putObject(type).putObject("schema").put("$ref", responseRef);
            }
        }
        ObjectNode ok = op.putObject("responses").putObject("200");
        ok.put("description", "OK");
        ObjectNode content = ok.putObject("content");
        for (String type : List.of("application/json", "application/yaml")) {
            content.putObject(type).putObject("schema").put("$ref", responseRef);
        }
        op.put("x-kubernetes-action", action);
        ObjectNode gvk = op.putObject("x-kubernetes-group-version-kind");
        gvk.put("group", kind.group).put("version", Kind.VERSION).put("kind", kind.kind);
        return op;
    }

    private static void gvk(ObjectNode schema, Kind kind) {
        schema.putArray("x-kubernetes-group-version-kind").addObject()
                .put("group", kind.group).put("kind", kind.kind).put("version", Kind.VERSION);
    }

    private static void gvkList(ObjectNode schema, Kind kind) {
        schema.putArray("x-kubernetes-group-version-kind").addObject()
                .put("group", kind.group).put("kind", kind.listKind()).put("version", Kind.VERSION);
    }

    private String hash(ObjectNode doc) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512")
                    .digest(wire.write(doc, false));
            return HexFormat.of().formatHex(digest, 0, 32).toUpperCase(java.util.Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is part of every JDK", e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the schemas

    private static Schema top(Kind kind, String description, Schema spec, Schema status) {
        return object(description, List.of(),
                "apiVersion", string("APIVersion defines the versioned schema of this representation of an object: "
                        + kind.apiVersion() + "."),
                "kind", string("Kind is a string value representing the REST resource this object represents: "
                        + kind.kind + "."),
                "metadata", ref("Standard object's metadata.", OBJECT_META),
                "spec", spec,
                "status", status);
    }

    private static Schema objectMeta() {
        return object("ObjectMeta is metadata that all persisted resources must have.", List.of(),
                "name", string("Name must be unique within a namespace: a DNS-1123 subdomain. Cannot be updated."),
                "generateName", string("Not supported: every object needs a name."),
                "namespace", string("Namespace defines the space within which each name must be unique."),
                "uid", string("UID is the unique in time and space value for this object. Set by the server. Read-only."),
                "resourceVersion", string("The Raft log index of the object's last change; used for optimistic "
                        + "concurrency and watches. Read-only."),
                "generation", int64("A sequence number representing a specific generation of the desired state. Read-only."),
                "creationTimestamp", dateTime("The time this object was created (the leader's time of the log entry). Read-only."),
                "deletionTimestamp", dateTime("Set when the object is being deleted. Read-only."),
                "labels", mapOf("Map of string keys and values used to organize and select objects.", string("")),
                "annotations", mapOf("Unstructured key value map stored with a resource.", string("")),
                "managedFields", arrayOf("Ignored: the server does not track field managers.",
                        Schema.anything("A field manager's entry.")));
    }

    private static Schema condition() {
        return object("Condition contains details for one aspect of the current state of this API Resource.",
                List.of("type", "status", "lastTransitionTime", "reason", "message"),
                "type", string("Type of condition in CamelCase."),
                "status", enumOf("Status of the condition.", "True", "False", "Unknown"),
                "observedGeneration", int64("The .metadata.generation that the condition was set based upon."),
                "lastTransitionTime", dateTime("The last time the condition transitioned from one status to another."),
                "reason", string("A programmatic identifier for the condition's last transition."),
                "message", string("A human readable message about the transition."));
    }

    private static Schema status() {
        return object("Status is a return value for calls that don't return other objects.", List.of(),
                "apiVersion", string("v1"),
                "kind", string("Status"),
                "status", string("Success or Failure."),
                "message", string("A human-readable description of the status of this operation."),
                "reason", string("A machine-readable description of why this operation is in the Failure status."),
                "code", int32("Suggested HTTP return code for this status."),
                "details", Schema.anything("Extended data associated with the reason."),
                "metadata", Schema.anything("Standard list metadata."));
    }

    private static Schema ipFamily(String description) {
        return enumOf(description, "IPv4", "IPv6");
    }

    private static Schema localRef(String description) {
        return object(description, List.of("name"), "name", string("Name of the referent."));
    }

    private static Schema projectRef() {
        return localRef("The project that owns the referent, when it is not this project.");
    }

    private static Schema conditions() {
        return arrayOf("Conditions keyed by type (metav1.Condition).", ref("A condition.", CONDITION));
    }

    private static Schema poolSpec() {
        return object("IPPoolSpec is the desired state of a pool.", List.of(),
                "cidr", string("Root pools: the pool's block as a canonical CIDR (host bits zero); child pools may set it "
                        + "to carve exactly that block. Immutable."),
                "ipFamily", ipFamily("Root pools: the family, which must match the CIDR; child pools inherit it."),
                "parentPoolRef", localRef("Makes this a child pool carved from the named pool. Immutable."),
                "prefixLength", int32("Child pools: the prefix length of the block carved from the parent."),
                "allocation", object("Bounds and strategy for claims.", List.of(),
                        "minPrefixLength", int32("The shortest prefix a claim may ask for."),
                        "maxPrefixLength", int32("The longest prefix a claim may ask for."),
                        "strategy", enumOf("How blocks are chosen (default FirstFit).", "FirstFit", "BestFit",
                                "LeastUtilized")),
                "visibility", enumOf("Who may claim from the pool; shared lets allowed projects use it.", "platform",
                        "consumer", "shared"),
                "allowedProjects", arrayOf("Projects granted use of a shared pool; [\"*\"] means every project.",
                        string("A project name or *.")));
    }

    private static Schema poolStatus() {
        return object("IPPoolStatus is the observed state of a pool.", List.of(),
                "phase", enumOf("The pool's phase.", "Pending", "Ready", "Exhausted", "Error"),
                "allocatedCIDR", string("The pool's block (a child pool's carved block)."),
                "ipFamily", ipFamily("The pool's family."),
                "capacity", object("Address counts, saturating at the int64 maximum for IPv6.", List.of(),
                        "total", int64("Addresses in the pool."),
                        "allocated", int64("Addresses handed out."),
                        "available", int64("Addresses free.")),
                "largestFreePrefix", int32("The prefix length of the largest free block; 0 when exhausted."),
                "utilizationPercent", int32("Allocated addresses as a percentage of the total."),
                "conditions", conditions());
    }

    private static Schema claimSpec() {
        return object("IPClaimSpec asks for a block.", List.of("ipFamily"),
                "ipFamily", ipFamily("The family; must match the pool. Immutable."),
                "prefixLength", int32("The prefix length asked for: 1..32 for IPv4, 1..128 for IPv6, within the pool's "
                        + "bounds; may be omitted when cidr is given."),
                "poolRef", object("The pool by name (exactly one of poolRef and poolSelector).", List.of("name"),
                        "name", string("Name of the pool."),
                        "projectRef", projectRef()),
                "poolSelector", object("The first pool (by name) whose labels match and whose family fits.", List.of(),
                        "matchLabels", mapOf("Labels the pool must carry.", string("")),
                        "matchExpressions", arrayOf("Label requirements the pool must meet.",
                                object("A label selector requirement.", List.of("key", "operator"),
                                        "key", string("The label key."),
                                        "operator", enumOf("The relation.", "In", "NotIn", "Exists", "DoesNotExist"),
                                        "values", arrayOf("Values for In and NotIn.", string("")))),
                        "projectRef", projectRef()),
                "cidr", string("Claim exactly this block; it must be free and inside the pool."),
                "ownerRef", object("The object that owns the claim; opaque, kept as given.", List.of("kind", "name"),
                        "apiGroup", string("API group of the owner."),
                        "kind", string("Kind of the owner."),
                        "name", string("Name of the owner."),
                        "namespace", string("Namespace of the owner.")),
                "reclaimPolicy", enumOf("What happens to the block when the claim is deleted (default Delete).",
                        "Delete", "Retain"));
    }

    private static Schema claimStatus() {
        return object("IPClaimStatus is the observed state of a claim.", List.of(),
                "phase", enumOf("The claim's phase.", "Pending", "Bound", "Releasing", "Error"),
                "allocatedCIDR", string("The block bound to the claim."),
                "boundAllocationRef", localRef("The IPAllocation holding the block."),
                "poolRef", object("The pool the block was carved from (resolved from poolRef or poolSelector).",
                        List.of("name"),
                        "name", string("Name of the pool."),
                        "projectRef", projectRef()),
                "conditions", conditions());
    }

    private static Schema allocationSpec() {
        return object("IPAllocationSpec is set by the server.", List.of(),
                "ipFamily", ipFamily("The family."),
                "poolRef", object("The pool the block was carved from.", List.of("name"),
                        "name", string("Name of the pool."),
                        "projectRef", projectRef()));
    }

    private static Schema allocationStatus() {
        return object("IPAllocationStatus is the observed state of an allocation.", List.of(),
                "phase", enumOf("The allocation's phase.", "Pending", "Ready", "Exhausted", "Error"),
                "allocatedCIDR", string("The allocated block."),
                "claimRef", localRef("The claim the block is bound to; absent once unbound (Retain)."),
                "conditions", conditions());
    }

    private static Schema projectSpec() {
        return object("ProjectSpec is the desired state of a project.", List.of(),
                "quota", object("Limits on what the project may hold.", List.of(),
                        "claims", int64("The most live claims."),
                        "ipv4Addresses", int64("The most IPv4 addresses held by the project's claims.")));
    }

    private static Schema projectStatus() {
        return object("ProjectStatus is the observed state of a project.", List.of(),
                "usage", object("What the project holds now.", List.of(),
                        "claims", int64("Live claims."),
                        "ipv4Addresses", int64("IPv4 addresses held."),
                        "pools", int64("Pools of the project.")),
                "conditions", conditions());
    }
}
