package dev.ipam.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.client.model.ObjectList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The verbs on one kind in one place (a project's pools, a namespace's claims, every project):
 * get, list, watch, create, update, patch, delete, wait. {@code T} is the kind's record, or
 * {@link JsonNode} to keep every field the server sent (as the CLI does).
 *
 * <p>Writes are safe to retry: a create carries one request id through all its attempts, and when a
 * retried create meets 409 AlreadyExists the client reads the object back and returns it if its
 * spec is the one it sent (the first attempt did land). A retried delete that meets 404 succeeds.
 */
public final class ResourceClient<T> {
    private static final String MERGE_PATCH = "application/merge-patch+json";

    private final Transport transport;
    private final ClientConfig config;
    private final Kind kind;
    private final String collectionPath;
    private final String namespace;
    private final Class<T> type;
    private final JavaType listType;

    ResourceClient(Transport transport, ClientConfig config, Kind kind, String collectionPath, String namespace,
                   Class<T> type) {
        this.transport = transport;
        this.config = config;
        this.kind = kind;
        this.collectionPath = collectionPath;
        this.namespace = namespace;
        this.type = type;
        this.listType = Codec.JSON.getTypeFactory().constructParametricType(ObjectList.class, type);
    }

    /** The kind these verbs act on. */
    public Kind kind() {
        return kind;
    }

    /** The namespace (namespaced kinds), or null for cluster-scoped kinds and all-namespace lists. */
    public String namespace() {
        return namespace;
    }

    /** Reads one object (linearizable). Throws NOT_FOUND when it does not exist. */
    public T get(String name) {
        return decode(check(transport.send(Transport.Call.get(objectPath(name), null))));
    }

    /** One page of objects. */
    public ObjectList<T> list(ListOptions options) {
        return Codec.decode(check(transport.send(listCall(options))), listType);
    }

    /** Every object matching the options, reading page after page (at most {@link ClientConfig#listItemsMax()}). */
    public List<T> listAll(ListOptions options) {
        List<T> items = new ArrayList<>();
        String token = options.continueToken();
        do {
            ObjectList<T> page = list(options.withContinue(token));
            for (T item : page.itemsOrEmpty()) {
                if (items.size() >= config.listItemsMax()) {
                    throw new IpamException(IpamException.Reason.TOO_LARGE, "more than listItemsMax="
                            + config.listItemsMax() + " " + kind.plural() + "; narrow the list with selectors", null);
                }
                items.add(item);
            }
            token = page.continueToken();
        } while (token != null);
        return items;
    }

    /** Creates an object; see {@link #create(Object, boolean, String)}. */
    public T create(T object) {
        return create(object, false, RequestIds.next());
    }

    /**
     * Creates an object. Every attempt carries {@code requestId} as {@code X-Request-Id}; pass the
     * same id again to retry a create whose outcome you did not learn. With {@code dryRun} the
     * server computes the real answer (for a claim: the exact block) and stores nothing.
     */
    public T create(T object, boolean dryRun, String requestId) {
        JsonNode sent = prepare(object);
        Map<String, String> query = Transport.query();
        if (dryRun) {
            query.put("dryRun", "All");
        }
        Transport.Answer answer = transport.send(new Transport.Call("POST", collectionPath, query,
                Codec.encode(sent), "application/json", requestId));
        if (answer.code() == 409 && answer.attempt() > 1 && !dryRun) {
            IpamException conflict = answer.error();
            if (conflict.reason() == IpamException.Reason.ALREADY_EXISTS) {
                T stored = storedOrNull(sent.path("metadata").path("name").asText());
                if (stored != null && contains(Codec.tree(stored).path("spec"), sent.path("spec"))) {
                    return stored;
                }
            }
            throw conflict;
        }
        return decode(check(answer));
    }

    /** Replaces an object; its {@code metadata.resourceVersion} must be current (else CONFLICT). */
    public T update(T object) {
        JsonNode sent = prepare(object);
        String name = sent.path("metadata").path("name").asText();
        return decode(check(transport.send(new Transport.Call("PUT", objectPath(name), null, Codec.encode(sent),
                "application/json", RequestIds.next()))));
    }

    /**
     * Applies a JSON merge patch (RFC 7386) to an object: labels and annotations may change, spec
     * fields are immutable (INVALID).
     */
    public T patch(String name, Object mergePatch) {
        return patch(name, mergePatch, false);
    }

    /** A merge patch, or with {@code dryRun} the object the patch would give, stored nowhere. */
    public T patch(String name, Object mergePatch, boolean dryRun) {
        Map<String, String> query = Transport.query();
        if (dryRun) {
            query.put("dryRun", "All");
        }
        return decode(check(transport.send(new Transport.Call("PATCH", objectPath(name), query,
                Codec.encode(mergePatch), MERGE_PATCH, RequestIds.next()))));
    }

    /** Deletes an object; NOT_FOUND if it does not exist (a retry that finds it gone succeeds). */
    public void delete(String name) {
        delete(name, false);
    }

    /** Deletes an object, or with {@code dryRun} only checks that it could be deleted. */
    public void delete(String name, boolean dryRun) {
        Map<String, String> query = Transport.query();
        if (dryRun) {
            query.put("dryRun", "All");
        }
        Transport.Answer answer = transport.send(new Transport.Call("DELETE", objectPath(name), query, null, null,
                RequestIds.next()));
        if (answer.code() == 404 && answer.attempt() > 1) {
            return;
        }
        check(answer);
    }

    /**
     * Starts watching. With {@code options.resourceVersion()} null the watch first lists and
     * delivers every current object as ADDED, then follows changes; otherwise it delivers every
     * change after that version. Runs on its own thread until closed or a fatal error.
     */
    public Watch<T> watch(ListOptions options, WatchListener<T> listener) {
        Watch<T> watch = new Watch<>(this, options, listener, config);
        watch.start();
        return watch;
    }

    /**
     * Polls the object until the condition holds, and returns it; TIMEOUT when the time runs out,
     * NOT_FOUND at once when the object does not exist.
     */
    public T waitFor(String name, Predicate<T> condition, Duration timeout) {
        Poll poll = new Poll(timeout);
        while (true) {
            T object = get(name);
            if (condition.test(object)) {
                return object;
            }
            poll.pause("condition on " + kind.shortName() + "/" + name);
        }
    }

    /** Polls until the object is gone; TIMEOUT when the time runs out. */
    public void waitForDeletion(String name, Duration timeout) {
        Poll poll = new Poll(timeout);
        while (true) {
            try {
                get(name);
            } catch (IpamException e) {
                if (e.reason() == IpamException.Reason.NOT_FOUND) {
                    return;
                }
                throw e;
            }
            poll.pause("deletion of " + kind.shortName() + "/" + name);
        }
    }

    /** The object, or null when it does not exist (the 409 came from something else, e.g. a retained allocation). */
    private T storedOrNull(String name) {
        try {
            return get(name);
        } catch (IpamException e) {
            if (e.reason() == IpamException.Reason.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    ObjectList<JsonNode> listRaw(ListOptions options) {
        JavaType rawList = Codec.JSON.getTypeFactory().constructParametricType(ObjectList.class, JsonNode.class);
        return Codec.decode(check(transport.send(listCall(options))), rawList);
    }

    T convert(JsonNode node) {
        if (type == JsonNode.class) {
            return type.cast(node);
        }
        return Codec.convert(node, type);
    }

    Transport transport() {
        return transport;
    }

    String collectionPath() {
        return collectionPath;
    }

    private Transport.Call listCall(ListOptions options) {
        Map<String, String> query = Transport.query();
        options.addTo(query);
        if (options.resourceVersion() != null) {
            query.put("resourceVersion", options.resourceVersion());
        }
        return Transport.Call.get(collectionPath, query);
    }

    private String objectPath(String name) {
        if (kind.namespaced() && namespace == null) {
            throw new IllegalStateException(kind.plural() + ": pick a namespace to read or write one object");
        }
        return collectionPath + "/" + Transport.segment(name);
    }

    /** The object as sent: kind and apiVersion filled in, namespace set, status dropped. */
    private JsonNode prepare(T object) {
        JsonNode tree = Codec.tree(object);
        if (!(tree instanceof ObjectNode node)) {
            throw new IllegalArgumentException(kind.kindName() + ": expected an object, got " + tree.getNodeType());
        }
        ObjectNode copy = node.deepCopy();
        if (!copy.hasNonNull("apiVersion")) {
            copy.put("apiVersion", kind.apiVersion());
        }
        if (!copy.hasNonNull("kind")) {
            copy.put("kind", kind.kindName());
        }
        ObjectNode metadata = copy.with("metadata");
        if (!metadata.hasNonNull("name") || metadata.get("name").asText().isEmpty()) {
            throw new IllegalArgumentException(kind.kindName() + ": metadata.name is required");
        }
        if (kind.namespaced() && namespace != null && !metadata.hasNonNull("namespace")) {
            metadata.put("namespace", namespace);
        }
        copy.remove("status");
        return copy;
    }

    private byte[] check(Transport.Answer answer) {
        if (!answer.ok()) {
            throw answer.error();
        }
        return answer.body();
    }

    private T decode(byte[] body) {
        if (type == JsonNode.class) {
            try {
                return type.cast(Codec.JSON.readTree(body));
            } catch (java.io.IOException e) {
                throw new IpamException(IpamException.Reason.INTERNAL, "unreadable answer: " + e.getMessage(), e);
            }
        }
        return Codec.decode(body, type);
    }

    /** Whether every field of {@code wanted} is in {@code actual} with the same value (server defaults allowed). */
    static boolean contains(JsonNode actual, JsonNode wanted) {
        if (wanted == null || wanted.isMissingNode() || wanted.isNull()) {
            return true;
        }
        if (wanted.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!contains(actual.path(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (wanted.isNumber() && actual.isNumber()) {
            return wanted.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return wanted.equals(actual);
    }

    /** A deadline and a pause that grows from 50 ms to 1 s between polls. */
    private static final class Poll {
        private final long deadlineNs;
        private final Duration timeout;
        private long pauseMs = 50;

        Poll(Duration timeout) {
            this.timeout = timeout;
            this.deadlineNs = System.nanoTime() + timeout.toNanos();
        }

        void pause(String what) {
            long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0) {
                throw new IpamException(IpamException.Reason.TIMEOUT, "timed out after " + timeout.toMillis()
                        + " ms waiting for " + what, null);
            }
            try {
                Thread.sleep(Math.min(pauseMs, leftMs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpamException(IpamException.Reason.TIMEOUT, "interrupted while waiting for " + what, e);
            }
            pauseMs = Math.min(pauseMs * 2, 1_000);
        }
    }
}
