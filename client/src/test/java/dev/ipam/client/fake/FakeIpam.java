package dev.ipam.client.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.client.Cidr;
import dev.ipam.client.Codec;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An in-memory stand-in for an ipamd cluster, for client and CLI tests: the API of API.md for the
 * calls the client makes, served by one or more {@link FakeNode}s that share this state (a
 * "cluster" whose nodes can be stopped to exercise failover). Not a model of Raft: every node
 * answers from the same state under one lock. resourceVersion is a counter bumped per change.
 */
public final class FakeIpam implements AutoCloseable {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String IPAM = "ipam.miloapis.com/v1alpha1";

    private final TreeMap<String, ObjectNode> projects = new TreeMap<>();
    /** key: project / kind / namespace / name, so iteration is ordered by project, kind, namespace, name. */
    private final TreeMap<String, ObjectNode> objects = new TreeMap<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<String, Answer> answersByRequestId = new HashMap<>();
    private final List<FakeNode> nodes = new ArrayList<>();
    private final List<ObjectNode> extraPeers = new ArrayList<>();
    private final AtomicInteger claimCreations = new AtomicInteger();
    private final AtomicInteger createRequests = new AtomicInteger();
    private long resourceVersion = 1;
    private long compactedThrough;
    private long uids;
    /** While an entry is open (see {@link #oneEntry}), every change gets this version; 0 otherwise. */
    private long entryVersion;
    private String leaderId;

    /** Whether a retried write with a known X-Request-Id gets the first answer back (ipamd does). */
    volatile boolean dedupeRequestIds = true;
    /** Whether a watch from a compacted version gets 200 + an ERROR event (true) or HTTP 410 (false). */
    volatile boolean goneAsEvent = true;
    /** Token required on every request, or null for no auth. */
    volatile String token;
    /** A token that may read but not write (403 on writes). */
    volatile String viewerToken;

    /** One recorded change, for watches. */
    record Event(long resourceVersion, String type, String project, String kind, ObjectNode object) {
    }

    /** A complete HTTP answer. */
    record Answer(int code, JsonNode body) {
    }

    /** Starts a node serving this state on 127.0.0.1 and an ephemeral port. */
    public synchronized FakeNode startNode() throws IOException {
        FakeNode node = new FakeNode(this, "n" + (nodes.size() + 1));
        nodes.add(node);
        if (leaderId == null) {
            leaderId = node.id();
        }
        return node;
    }

    /** Requires this bearer token on every request. */
    public void requireToken(String value, String readOnlyValue) {
        token = value;
        viewerToken = readOnlyValue;
    }

    /** Serves retried writes as if the request id were unknown (to exercise the client's 409 path). */
    public void dedupeRequestIds(boolean value) {
        dedupeRequestIds = value;
    }

    /** How a watch from a compacted version is refused: ERROR event (true) or HTTP 410 (false). */
    public void goneAsEvent(boolean value) {
        goneAsEvent = value;
    }

    /** How many claims were actually allocated (creates that stored something). */
    public int claimCreations() {
        return claimCreations.get();
    }

    /** How many claim-create requests reached the fake (including retries and dry runs). */
    public int createRequests() {
        return createRequests.get();
    }

    /** Forgets every recorded event: a watch from an older version now gets 410 Gone. */
    public synchronized void compact() {
        compactedThrough = resourceVersion;
        events.clear();
    }

    /**
     * Opens (true) or closes (false) one entry, as ipamd's batcher makes one: the changes made while
     * it is open share one resourceVersion, and watches see them only once it is closed, all at once.
     */
    public synchronized void oneEntry(boolean open) {
        entryVersion = open ? resourceVersion + 1 : 0;
        notifyAll();
    }

    /** The newest version whose changes watches may see: not those of an entry still open. */
    private long visibleVersion() {
        return entryVersion == 0 ? resourceVersion : entryVersion - 1;
    }

    /** The current resourceVersion (the last change's). */
    public synchronized long resourceVersion() {
        return resourceVersion;
    }

    /** Creates a project directly (test set-up). */
    public synchronized void seedProject(String name) {
        Answer answer = createProject((ObjectNode) Codec.tree(Map.of("metadata", Map.of("name", name))));
        if (answer.code() != 201) {
            throw new IllegalStateException("seed project " + name + ": " + answer.body());
        }
    }

    /** Creates a pool directly (test set-up). */
    public synchronized void seedPool(String project, String name, String cidr, Map<String, String> labels) {
        ObjectNode pool = NODES.objectNode();
        pool.putObject("metadata").put("name", name).set("labels", Codec.tree(labels));
        pool.putObject("spec").put("cidr", cidr).put("ipFamily", Cidr.parse(cidr).family());
        Answer answer = createPool(project, pool, false);
        if (answer.code() != 201) {
            throw new IllegalStateException("seed pool " + name + ": " + answer.body());
        }
    }

    /** Number of live objects of a kind in a project. */
    public synchronized int count(String project, String kind) {
        return (int) objects.keySet().stream().filter(k -> k.startsWith(project + "/" + kind + "/")).count();
    }

    synchronized List<FakeNode> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        for (FakeNode node : nodes()) {
            node.stop();
        }
    }

    // ---------------------------------------------------------------- requests

    synchronized Answer remembered(String requestId) {
        if (requestId == null || !dedupeRequestIds) {
            return null;
        }
        return answersByRequestId.get(requestId);
    }

    synchronized void remember(String requestId, Answer answer) {
        if (requestId != null && answer.code() < 500) {
            answersByRequestId.put(requestId, answer);
        }
    }

    synchronized boolean projectExists(String project) {
        return projects.containsKey(project);
    }

    synchronized Answer createProject(ObjectNode body) {
        String name = body.path("metadata").path("name").asText("");
        Answer invalid = checkName("Project", name);
        if (invalid != null) {
            return invalid;
        }
        if (projects.containsKey(name)) {
            return status(409, "AlreadyExists", "projects \"" + name + "\" already exists", name, "projects");
        }
        ObjectNode project = body.deepCopy();
        project.put("apiVersion", "resourcemanager.miloapis.com/v1alpha1").put("kind", "Project");
        stamp(project, null);
        projects.put(name, project);
        record("ADDED", "", "Project", project);
        return new Answer(201, withProjectStatus(project));
    }

    synchronized Answer getProject(String name) {
        ObjectNode project = projects.get(name);
        return project == null ? notFound("projects", name) : new Answer(200, withProjectStatus(project));
    }

    synchronized Answer listProjects() {
        List<ObjectNode> items = new ArrayList<>();
        projects.values().forEach(p -> items.add(withProjectStatus(p)));
        return new Answer(200, list("ProjectList", "resourcemanager.miloapis.com/v1alpha1", items, null));
    }

    synchronized Answer deleteProject(String name) {
        ObjectNode project = projects.get(name);
        if (project == null) {
            return notFound("projects", name);
        }
        if (objects.keySet().stream().anyMatch(k -> k.startsWith(name + "/"))) {
            return status(409, "Conflict", "project " + name + " still has pools or claims", name, "projects");
        }
        projects.remove(name);
        bump(project);
        record("DELETED", "", "Project", project);
        return new Answer(200, project);
    }

    private ObjectNode withProjectStatus(ObjectNode project) {
        ObjectNode copy = project.deepCopy();
        String name = copy.path("metadata").path("name").asText();
        long claims = objects.entrySet().stream().filter(e -> e.getKey().startsWith(name + "/IPClaim/")).count();
        long v4 = 0;
        for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
            if (e.getKey().startsWith(name + "/IPClaim/")) {
                Cidr block = Cidr.parse(e.getValue().path("status").path("allocatedCIDR").asText());
                if (block.bits() == 32) {
                    v4 += block.size().longValue();
                }
            }
        }
        copy.putObject("status").putObject("usage").put("claims", claims).put("ipv4Addresses", v4);
        return copy;
    }

    synchronized Answer createPool(String project, ObjectNode body, boolean dryRun) {
        String name = body.path("metadata").path("name").asText("");
        Answer invalid = checkName("IPPool", name);
        if (invalid != null) {
            return invalid;
        }
        if (!"IPPool".equals(body.path("kind").asText("IPPool"))) {
            return status(400, "BadRequest", "kind " + body.path("kind").asText() + " posted to ippools", name, "ippools");
        }
        if (objects.containsKey(key(project, "IPPool", "", name))) {
            return status(409, "AlreadyExists", "ippools.ipam.miloapis.com \"" + name + "\" already exists", name, "ippools");
        }
        JsonNode spec = body.path("spec");
        ObjectNode pool = body.deepCopy();
        pool.put("apiVersion", IPAM).put("kind", "IPPool");
        pool.remove("status");
        String parent = spec.path("parentPoolRef").path("name").asText(null);
        if (parent != null) {
            ObjectNode parentPool = objects.get(key(project, "IPPool", "", parent));
            if (parentPool == null) {
                return status(400, "BadRequest", "parent pool " + parent + " not found", name, "ippools");
            }
            if (!spec.has("prefixLength")) {
                return invalid(name, "ippools", "spec.prefixLength", "Required value: a child pool needs prefixLength");
            }
            Cidr block = firstFit(project, parent, spec.path("prefixLength").asInt());
            if (block == null) {
                return status(507, "InsufficientStorage", "pool " + parent + " has no free /" + spec.path("prefixLength").asInt(), name, "ippools");
            }
            ((ObjectNode) pool.get("spec")).put("ipFamily", block.family());
            pool.putObject("status").put("allocatedCIDR", block.toString());
        } else {
            String cidrText = spec.path("cidr").asText(null);
            if (cidrText == null) {
                return invalid(name, "ippools", "spec.cidr", "Required value: a root pool needs a CIDR");
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(cidrText);
            } catch (IllegalArgumentException e) {
                return invalid(name, "ippools", "spec.cidr", "Invalid value: " + e.getMessage());
            }
            if (!cidr.canonical()) {
                return invalid(name, "ippools", "spec.cidr", "Invalid value: host bits set; use " + cidr);
            }
            String family = spec.path("ipFamily").asText(null);
            if (family == null) {
                return invalid(name, "ippools", "spec.ipFamily", "Required value");
            }
            if (!family.equals(cidr.family())) {
                return invalid(name, "ippools", "spec.ipFamily", "Invalid value: " + family + " does not match " + cidrText);
            }
            pool.putObject("status").put("allocatedCIDR", cidr.toString());
        }
        if (dryRun) {
            return new Answer(201, poolWithStatus(project, pool));
        }
        stamp(pool, null);
        objects.put(key(project, "IPPool", "", name), pool);
        record("ADDED", project, "IPPool", pool);
        return new Answer(201, poolWithStatus(project, pool));
    }

    synchronized Answer deletePool(String project, String name) {
        ObjectNode pool = objects.get(key(project, "IPPool", "", name));
        if (pool == null) {
            return notFound("ippools.ipam.miloapis.com", name);
        }
        boolean used = objects.values().stream().anyMatch(o ->
                name.equals(o.path("spec").path("poolRef").path("name").asText(null)) && "IPAllocation".equals(o.path("kind").asText())
                        || name.equals(o.path("spec").path("parentPoolRef").path("name").asText(null)));
        if (used) {
            return status(409, "Conflict", "pool " + name + " has allocations or child pools", name, "ippools");
        }
        objects.remove(key(project, "IPPool", "", name));
        bump(pool);
        record("DELETED", project, "IPPool", pool);
        return new Answer(200, pool);
    }

    synchronized Answer createClaim(String project, String namespace, ObjectNode body, boolean dryRun) {
        createRequests.incrementAndGet();
        String name = body.path("metadata").path("name").asText("");
        Answer invalid = checkName("IPClaim", name);
        if (invalid != null) {
            return invalid;
        }
        if (objects.containsKey(key(project, "IPClaim", namespace, name))
                || objects.containsKey(key(project, "IPAllocation", namespace, allocationName(namespace, name)))) {
            return status(409, "AlreadyExists", "ipclaims.ipam.miloapis.com \"" + name + "\" already exists", name, "ipclaims");
        }
        JsonNode spec = body.path("spec");
        String family = spec.path("ipFamily").asText(null);
        if (family == null || !family.equals("IPv4") && !family.equals("IPv6")) {
            return invalid(name, "ipclaims", "spec.ipFamily", "Unsupported value: must be IPv4 or IPv6");
        }
        int bits = family.equals("IPv4") ? 32 : 128;
        int length = spec.path("prefixLength").asInt(-1);
        if (length < 1 || length > bits) {
            return invalid(name, "ipclaims", "spec.prefixLength", "Invalid value: must be 1.." + bits + " for " + family);
        }
        boolean hasRef = spec.has("poolRef");
        boolean hasSelector = spec.has("poolSelector");
        if (hasRef == hasSelector) {
            return invalid(name, "ipclaims", "spec.poolRef", "Invalid value: exactly one of poolRef or poolSelector");
        }
        String poolName = hasRef ? spec.path("poolRef").path("name").asText() : selectPool(project, spec.path("poolSelector"), family);
        ObjectNode pool = poolName == null ? null : objects.get(key(project, "IPPool", "", poolName));
        if (pool == null) {
            return status(400, "BadRequest", hasRef ? "pool " + poolName + " not found" : "no IPPool matches the selector", name, "ipclaims");
        }
        String poolFamily = pool.path("spec").path("ipFamily").asText();
        if (!family.equals(poolFamily)) {
            return status(400, "BadRequest", "claim family " + family + " does not match pool " + poolName + " (" + poolFamily + ")", name, "ipclaims");
        }
        JsonNode allocation = pool.path("spec").path("allocation");
        if (allocation.has("minPrefixLength") && length < allocation.path("minPrefixLength").asInt()
                || allocation.has("maxPrefixLength") && length > allocation.path("maxPrefixLength").asInt()) {
            return invalid(name, "ipclaims", "spec.prefixLength", "Invalid value: " + length + " outside the pool's bounds");
        }
        Cidr block;
        if (spec.hasNonNull("cidr")) {
            Cidr wanted = Cidr.parse(spec.path("cidr").asText());
            Cidr poolBlock = Cidr.parse(pool.path("status").path("allocatedCIDR").asText());
            if (!poolBlock.contains(wanted) || !wanted.canonical() || wanted.prefixLength() != length) {
                return invalid(name, "ipclaims", "spec.cidr", "Invalid value: not a canonical /" + length + " inside " + poolBlock);
            }
            if (taken(project, poolName).stream().anyMatch(wanted::overlaps)) {
                return status(409, "Conflict", "block " + wanted + " is taken", name, "ipclaims");
            }
            block = wanted;
        } else {
            block = firstFit(project, poolName, length);
        }
        if (block == null) {
            return status(507, "InsufficientStorage", "pool=" + poolName + " prefixLength=" + length + " exhausted", name, "ipclaims");
        }
        ObjectNode claim = body.deepCopy();
        claim.put("apiVersion", IPAM).put("kind", "IPClaim");
        ((ObjectNode) claim.get("metadata")).put("namespace", namespace);
        String allocationName = allocationName(namespace, name);
        ObjectNode status = claim.putObject("status");
        status.put("phase", "Bound").put("allocatedCIDR", block.toString());
        status.putObject("boundAllocationRef").put("name", allocationName);
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("reason", "Allocated");
        if (dryRun) {
            return new Answer(201, claim);
        }
        ObjectNode alloc = NODES.objectNode();
        alloc.put("apiVersion", IPAM).put("kind", "IPAllocation");
        alloc.putObject("metadata").put("name", allocationName).put("namespace", namespace);
        alloc.putObject("spec").put("ipFamily", family).putObject("poolRef").put("name", poolName);
        alloc.putObject("status").put("phase", "Ready").put("allocatedCIDR", block.toString());
        stamp(alloc, null);
        objects.put(key(project, "IPAllocation", namespace, allocationName), alloc);
        record("ADDED", project, "IPAllocation", alloc);
        stamp(claim, null);
        objects.put(key(project, "IPClaim", namespace, name), claim);
        record("ADDED", project, "IPClaim", claim);
        claimCreations.incrementAndGet();
        return new Answer(201, claim);
    }

    synchronized Answer deleteClaim(String project, String namespace, String name) {
        ObjectNode claim = objects.remove(key(project, "IPClaim", namespace, name));
        if (claim == null) {
            return notFound("ipclaims.ipam.miloapis.com", name);
        }
        bump(claim);
        record("DELETED", project, "IPClaim", claim);
        String allocKey = key(project, "IPAllocation", namespace, allocationName(namespace, name));
        if (!"Retain".equals(claim.path("spec").path("reclaimPolicy").asText("Delete"))) {
            ObjectNode alloc = objects.remove(allocKey);
            if (alloc != null) {
                bump(alloc);
                record("DELETED", project, "IPAllocation", alloc);
            }
        }
        return new Answer(200, claim);
    }

    synchronized Answer deleteAllocation(String project, String namespace, String name) {
        String allocKey = key(project, "IPAllocation", namespace, name);
        ObjectNode alloc = objects.get(allocKey);
        if (alloc == null) {
            return notFound("ipallocations.ipam.miloapis.com", name);
        }
        boolean bound = objects.values().stream().anyMatch(o -> "IPClaim".equals(o.path("kind").asText())
                && namespace.equals(o.path("metadata").path("namespace").asText())
                && name.equals(o.path("status").path("boundAllocationRef").path("name").asText()));
        if (bound) {
            return status(409, "Conflict", "allocation " + name + " is bound to a live claim", name, "ipallocations");
        }
        objects.remove(allocKey);
        bump(alloc);
        record("DELETED", project, "IPAllocation", alloc);
        return new Answer(200, alloc);
    }

    synchronized Answer get(String project, String kind, String namespace, String name) {
        ObjectNode object = objects.get(key(project, kind, namespace, name));
        if (object == null) {
            return notFound(plural(kind) + ".ipam.miloapis.com", name);
        }
        return new Answer(200, kind.equals("IPPool") ? poolWithStatus(project, object) : object);
    }

    /** Merge patch: labels and annotations may change; any spec change is 422. */
    synchronized Answer patch(String project, String kind, String namespace, String name, JsonNode patch, boolean dryRun) {
        String objectKey = key(project, kind, namespace, name);
        ObjectNode object = objects.get(objectKey);
        if (object == null) {
            return notFound(plural(kind) + ".ipam.miloapis.com", name);
        }
        ObjectNode patched = object.deepCopy();
        mergePatch(patched, patch);
        if (!patched.path("spec").equals(object.path("spec"))) {
            return invalid(name, plural(kind), "spec", "Forbidden: spec is immutable");
        }
        patched.set("status", object.get("status"));
        ObjectNode metadata = (ObjectNode) patched.get("metadata");
        for (String field : List.of("name", "namespace", "uid", "creationTimestamp")) {
            if (object.path("metadata").has(field)) {
                metadata.set(field, object.path("metadata").get(field));
            }
        }
        if (patched.equals(object)) {
            return new Answer(200, kind.equals("IPPool") ? poolWithStatus(project, object) : object);
        }
        if (dryRun) {
            return new Answer(200, kind.equals("IPPool") ? poolWithStatus(project, patched) : patched);
        }
        bump(patched);
        objects.put(objectKey, patched);
        record("MODIFIED", project, kind, patched);
        return new Answer(200, kind.equals("IPPool") ? poolWithStatus(project, patched) : patched);
    }

    synchronized Answer update(String project, String kind, String namespace, String name, ObjectNode body) {
        ObjectNode object = objects.get(key(project, kind, namespace, name));
        if (object == null) {
            return notFound(plural(kind) + ".ipam.miloapis.com", name);
        }
        String version = body.path("metadata").path("resourceVersion").asText("");
        if (!version.equals(object.path("metadata").path("resourceVersion").asText())) {
            return status(409, "Conflict", "the object has been modified; resourceVersion " + version + " is stale", name, plural(kind));
        }
        ObjectNode patch = NODES.objectNode();
        patch.set("metadata", NODES.objectNode().setAll(Map.of(
                "labels", body.path("metadata").path("labels").isMissingNode() ? NODES.nullNode() : body.path("metadata").path("labels"),
                "annotations", body.path("metadata").path("annotations").isMissingNode() ? NODES.nullNode() : body.path("metadata").path("annotations"))));
        if (body.has("spec")) {
            patch.set("spec", body.get("spec"));
        }
        ObjectNode whole = object.deepCopy();
        whole.set("spec", body.path("spec").isMissingNode() ? object.get("spec") : body.get("spec"));
        if (!whole.path("spec").equals(object.path("spec"))) {
            return invalid(name, plural(kind), "spec", "Forbidden: spec is immutable");
        }
        return patch(project, kind, namespace, name, patch, false);
    }

    /** One page of a list, in key order, after selectors; the continue token is the last key returned. */
    synchronized Answer list(String project, String kind, String namespace, Map<String, String> query) {
        Predicate<JsonNode> selected;
        try {
            selected = Selectors.labels(query.get("labelSelector")).and(Selectors.fields(query.get("fieldSelector")));
        } catch (IllegalArgumentException e) {
            return status(400, "BadRequest", e.getMessage(), null, plural(kind));
        }
        int limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit")) : Integer.MAX_VALUE;
        String after = query.get("continue");
        String prefix = project + "/" + kind + "/" + (namespace == null ? "" : namespace + "/");
        List<ObjectNode> items = new ArrayList<>();
        String next = null;
        for (Map.Entry<String, ObjectNode> entry : objects.tailMap(prefix, true).entrySet()) {
            String k = entry.getKey();
            if (!k.startsWith(prefix)) {
                break;
            }
            if (after != null && k.compareTo(after) <= 0) {
                continue;
            }
            ObjectNode object = kind.equals("IPPool") ? poolWithStatus(project, entry.getValue()) : entry.getValue();
            if (!selected.test(object)) {
                continue;
            }
            if (items.size() == limit) {
                next = lastKey(project, kind, items.get(items.size() - 1));
                break;
            }
            items.add(object);
        }
        return new Answer(200, list(kind + "List", IPAM, items, next));
    }

    /** The events after {@code after} for this scope; null when that history was compacted (410). */
    synchronized List<Event> eventsAfter(long after) {
        if (after < compactedThrough) {
            return null;
        }
        List<Event> out = new ArrayList<>();
        for (Event event : events) {
            if (event.resourceVersion() > after && event.resourceVersion() <= visibleVersion()) {
                out.add(event);
            }
        }
        return out;
    }

    /** Blocks until an event past {@code after} exists or the wait ends. */
    synchronized void awaitEvent(long after, long waitMs) throws InterruptedException {
        if (visibleVersion() <= after) {
            wait(waitMs);
        }
    }

    synchronized Answer clusterStatus() {
        ObjectNode status = NODES.objectNode();
        status.put("groupId", "fake-group").put("self", nodes.isEmpty() ? "" : nodes.get(0).id())
                .put("leaderId", leaderId).put("term", 1).put("commitIndex", resourceVersion).put("appliedIndex", resourceVersion);
        ArrayNode members = status.putArray("members");
        for (FakeNode node : nodes) {
            members.addObject().put("id", node.id()).put("raftAddress", "127.0.0.1:0").put("httpAddress", node.uri())
                    .put("role", node.id().equals(leaderId) ? "LEADER" : "FOLLOWER")
                    .put("matchIndex", resourceVersion).put("lastContactMs", 0);
        }
        extraPeers.forEach(p -> members.add(p.deepCopy()));
        return new Answer(200, status);
    }

    synchronized Answer addPeer(JsonNode body) {
        String id = body.path("id").asText("");
        if (id.isEmpty() || !body.hasNonNull("raftAddress")) {
            return invalid(id, "peers", id.isEmpty() ? "id" : "raftAddress", "Required value");
        }
        ObjectNode peer = NODES.objectNode().put("id", id).put("raftAddress", body.path("raftAddress").asText())
                .put("httpAddress", body.path("httpAddress").asText("")).put("role", "FOLLOWER").put("matchIndex", 0).put("lastContactMs", 0);
        extraPeers.add(peer);
        return clusterStatus();
    }

    synchronized Answer removePeer(String id) {
        boolean removed = extraPeers.removeIf(p -> id.equals(p.path("id").asText()));
        return removed ? clusterStatus() : status(404, "NotFound", "no peer " + id, id, "peers");
    }

    synchronized Answer transferLeader(String id) {
        boolean known = nodes.stream().anyMatch(n -> n.id().equals(id)) || extraPeers.stream().anyMatch(p -> id.equals(p.path("id").asText()));
        if (!known) {
            return status(404, "NotFound", "no peer " + id, id, "peers");
        }
        leaderId = id;
        return clusterStatus();
    }

    synchronized Answer snapshot() {
        return new Answer(200, NODES.objectNode().put("index", resourceVersion));
    }

    // ---------------------------------------------------------------- helpers

    private ObjectNode poolWithStatus(String project, ObjectNode pool) {
        ObjectNode copy = pool.deepCopy();
        ObjectNode status = copy.has("status") ? (ObjectNode) copy.get("status") : copy.putObject("status");
        Cidr block = Cidr.parse(status.path("allocatedCIDR").asText());
        List<Cidr> taken = taken(project, copy.path("metadata").path("name").asText());
        BigInteger used = taken.stream().map(Cidr::size).reduce(BigInteger.ZERO, BigInteger::add);
        int largest = largestFree(block, taken);
        status.put("phase", largest == 0 ? "Exhausted" : "Ready").put("ipFamily", block.family());
        status.putObject("capacity").put("total", saturate(block.size())).put("allocated", saturate(used))
                .put("available", saturate(block.size().subtract(used)));
        status.put("largestFreePrefix", largest);
        status.put("utilizationPercent", new java.math.BigDecimal(used.multiply(BigInteger.valueOf(10000)).divide(block.size()), 2).doubleValue());
        return copy;
    }

    private static long saturate(BigInteger value) {
        return value.bitLength() > 63 ? Long.MAX_VALUE : value.longValue();
    }

    private List<Cidr> taken(String project, String poolName) {
        List<Cidr> out = new ArrayList<>();
        String prefix = project + "/";
        for (Map.Entry<String, ObjectNode> entry : objects.tailMap(prefix, true).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            ObjectNode o = entry.getValue();
            String kind = o.path("kind").asText();
            if (kind.equals("IPAllocation") && poolName.equals(o.path("spec").path("poolRef").path("name").asText())
                    || kind.equals("IPPool") && poolName.equals(o.path("spec").path("parentPoolRef").path("name").asText())) {
                out.add(Cidr.parse(o.path("status").path("allocatedCIDR").asText()));
            }
        }
        out.sort(Comparator.comparing(Cidr::network));
        return out;
    }

    private Cidr firstFit(String project, String poolName, int length) {
        ObjectNode pool = objects.get(key(project, "IPPool", "", poolName));
        Cidr block = Cidr.parse(pool.path("status").path("allocatedCIDR").asText());
        if (length < block.prefixLength()) {
            return null;
        }
        BigInteger size = BigInteger.ONE.shiftLeft(block.bits() - length);
        BigInteger candidate = block.network();
        for (Cidr t : taken(project, poolName)) {
            if (candidate.add(size).compareTo(t.network()) <= 0) {
                break;
            }
            if (t.last().compareTo(candidate) >= 0) {
                candidate = alignUp(t.last().add(BigInteger.ONE), size);
            }
        }
        if (candidate.add(size).subtract(BigInteger.ONE).compareTo(block.last()) > 0) {
            return null;
        }
        return Cidr.of(candidate, length, block.bits());
    }

    private static int largestFree(Cidr block, List<Cidr> taken) {
        int best = 0;
        BigInteger cursor = block.network();
        List<BigInteger[]> gaps = new ArrayList<>();
        for (Cidr t : taken) {
            if (t.network().compareTo(cursor) > 0) {
                gaps.add(new BigInteger[] {cursor, t.network().subtract(BigInteger.ONE)});
            }
            cursor = cursor.max(t.last().add(BigInteger.ONE));
        }
        if (cursor.compareTo(block.last()) <= 0) {
            gaps.add(new BigInteger[] {cursor, block.last()});
        }
        for (BigInteger[] gap : gaps) {
            for (int hostBits = block.bits() - block.prefixLength(); hostBits >= 0; hostBits--) {
                BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
                BigInteger start = alignUp(gap[0], size);
                if (start.add(size).subtract(BigInteger.ONE).compareTo(gap[1]) <= 0) {
                    int prefix = block.bits() - hostBits;
                    best = best == 0 ? prefix : Math.min(best, prefix);
                    break;
                }
            }
        }
        return best;
    }

    private static BigInteger alignUp(BigInteger value, BigInteger size) {
        BigInteger remainder = value.mod(size);
        return remainder.signum() == 0 ? value : value.add(size).subtract(remainder);
    }

    private String selectPool(String project, JsonNode selector, String family) {
        String prefix = project + "/IPPool//";
        for (Map.Entry<String, ObjectNode> entry : objects.tailMap(prefix, true).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            JsonNode labels = entry.getValue().path("metadata").path("labels");
            boolean match = true;
            Iterator<Map.Entry<String, JsonNode>> wanted = selector.path("matchLabels").fields();
            while (wanted.hasNext()) {
                Map.Entry<String, JsonNode> label = wanted.next();
                match &= label.getValue().asText().equals(labels.path(label.getKey()).asText(null));
            }
            if (match && family.equals(entry.getValue().path("spec").path("ipFamily").asText())) {
                return entry.getValue().path("metadata").path("name").asText();
            }
        }
        return null;
    }

    static String allocationName(String namespace, String claim) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((namespace + "/" + claim).getBytes(StandardCharsets.UTF_8));
            return "alloc-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(String project, String kind, String namespace, String name) {
        return project + "/" + kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
    }

    private static String lastKey(String project, String kind, JsonNode object) {
        return key(project, kind, object.path("metadata").path("namespace").asText(""), object.path("metadata").path("name").asText());
    }

    static String plural(String kind) {
        return switch (kind) {
            case "IPPool" -> "ippools";
            case "IPClaim" -> "ipclaims";
            case "IPAllocation" -> "ipallocations";
            default -> "projects";
        };
    }

    private void stamp(ObjectNode object, String namespace) {
        ObjectNode metadata = object.has("metadata") ? (ObjectNode) object.get("metadata") : object.putObject("metadata");
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("uid", "uid-" + (++uids));
        metadata.put("creationTimestamp", "2026-11-21T00:00:00Z");
        metadata.put("generation", 1);
        bump(object);
    }

    private void bump(ObjectNode object) {
        resourceVersion = entryVersion == 0 ? resourceVersion + 1 : entryVersion;
        ((ObjectNode) object.get("metadata")).put("resourceVersion", Long.toString(resourceVersion));
    }

    private void record(String type, String project, String kind, ObjectNode object) {
        events.add(new Event(resourceVersion, type, project, kind, object.deepCopy()));
        notifyAll();
    }

    private ObjectNode list(String kind, String apiVersion, List<ObjectNode> items, String next) {
        ObjectNode list = NODES.objectNode();
        list.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode metadata = list.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(resourceVersion));
        if (next != null) {
            metadata.put("continue", next);
        }
        ArrayNode array = list.putArray("items");
        items.forEach(array::add);
        return list;
    }

    private static void mergePatch(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                target.remove(field.getKey());
            } else if (field.getValue().isObject() && target.path(field.getKey()).isObject()) {
                mergePatch((ObjectNode) target.get(field.getKey()), field.getValue());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    private static Answer checkName(String kind, String name) {
        if (name.isEmpty() || name.length() > 253 || !name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            return invalid(name, plural(kind), "metadata.name", "Invalid value: \"" + name + "\": must be a DNS-1123 subdomain");
        }
        return null;
    }

    static Answer notFound(String resource, String name) {
        return status(404, "NotFound", resource + " \"" + name + "\" not found", name, resource);
    }

    static Answer invalid(String name, String resource, String field, String message) {
        ObjectNode body = statusBody(422, "Invalid", resource + " \"" + name + "\" is invalid: " + field + ": " + message, name, resource);
        ((ObjectNode) body.get("details")).putArray("causes").addObject().put("field", field).put("message", message).put("reason", "FieldValueInvalid");
        return new Answer(422, body);
    }

    static Answer status(int code, String reason, String message, String name, String resource) {
        return new Answer(code, statusBody(code, reason, message, name, resource));
    }

    static ObjectNode statusBody(int code, String reason, String message, String name, String resource) {
        ObjectNode body = NODES.objectNode();
        body.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
                .put("reason", reason).put("code", code);
        ObjectNode details = body.putObject("details");
        if (name != null) {
            details.put("name", name);
        }
        if (resource != null) {
            details.put("kind", resource);
        }
        return body;
    }
}
