package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Core;
import dev.ipam.core.Reads;
import dev.ipam.core.Result;
import dev.ipam.core.model.Resource;
import dev.ipam.core.store.Overlay;
import dev.ipam.server.Replica;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The verbs on the four kinds: decode the request, turn it into a core {@link Command} or a
 * {@link Reads} call, go through the replica, encode the answer. Writes carry the request id of
 * {@code X-Request-Id} (else a fresh one) so a retried request is applied once. Dry runs apply the
 * command to a discarded {@link Overlay} over a linearizable view: the real answer, nothing stored.
 */
final class Resources {
    /** The identity recorded on commands when authentication is off. */
    static final String ANONYMOUS = "system:anonymous";
    /** How often a merge patch without a resourceVersion is retried after losing a race. */
    static final int PATCH_ATTEMPTS_MAX = 5;
    /** The most bytes (stored form) of objects one list page holds; a page of big objects is shorter. */
    static final long PAGE_BYTES_MAX = 8L << 20;
    /** The most objects one deletecollection removes (the client repeats for more). */
    static final int DELETE_COLLECTION_MAX = 10_000;

    private final Api api;
    private final Wire wire;
    private final ModelJson model;
    private final Replica replica;
    private final Core dryRunCore;
    private final Watches watches;

    Resources(Api api) {
        this.api = api;
        this.wire = api.wire;
        this.model = new ModelJson(api.wire);
        this.replica = api.replica;
        this.dryRunCore = api.core;
        this.watches = new Watches(api, this, model);
    }

    void start() {
        watches.start();
    }

    void close() {
        watches.close();
    }

    WatchHub hub() {
        return watches.hub;
    }

    static ApiException projectNotFound(String project) {
        return ApiException.notFound("projects", project, "projects.resourcemanager.miloapis.com \"" + project
                + "\" not found");
    }

    /** Inside a read: the target's project must exist (projects themselves have none). */
    private static void requireProject(Replica.Snapshot snapshot, Target target) {
        if (target.project() != null && Reads.project(snapshot.view(), target.project()) == null) {
            throw projectNotFound(target.project());
        }
    }

    CompletableFuture<Boolean> projectExists(String project, boolean linearizable) {
        return api.timed(replica.read(linearizable, s -> Reads.project(s.view(), project) != null));
    }

    // ---- dispatch

    void handle(Exchange ex, Target target) {
        ex.target = target;
        authorize(ex, target);
        String method = ex.method;
        if (target.status() && !method.equals("GET")) {
            throw ApiException.methodNotAllowed("the status of " + target.kind().plural + " is written only by the "
                    + "server; " + method + " is not allowed");
        }
        switch (method) {
            case "GET", "HEAD" -> {
                if (!target.collection()) {
                    get(ex, target);
                } else if (isTrue(ex.param("watch"))) {
                    watches.watch(ex, target);
                } else {
                    list(ex, target);
                }
            }
            case "POST" -> {
                if (!target.collection()) {
                    throw ApiException.methodNotAllowed("POST is allowed on a collection only; use PUT or PATCH on "
                            + ex.path);
                }
                create(ex, target);
            }
            case "PUT" -> {
                requireItem(ex, target);
                update(ex, target);
            }
            case "PATCH" -> {
                requireItem(ex, target);
                patch(ex, target);
            }
            case "DELETE" -> {
                if (target.collection()) {
                    deleteCollection(ex, target);
                } else {
                    delete(ex, target);
                }
            }
            default -> throw ApiException.methodNotAllowed(method + " is not allowed on " + ex.path);
        }
    }

    /** The role a request needs: viewer to read, editor to write claims, admin for pools, deletes of allocations. */
    private static void authorize(Exchange ex, Target target) {
        Auth.Identity identity = ex.identity;
        boolean read = ex.method.equals("GET") || ex.method.equals("HEAD");
        String verb = read ? (target.collection() ? "list" : "get") : ex.method.toLowerCase(java.util.Locale.ROOT);
        if (target.kind() == Kind.PROJECT) {
            boolean allowed = identity.clusterAdmin()
                    || (read && target.name() != null && identity.may(target.name(), Auth.Role.viewer));
            if (!allowed) {
                throw Auth.forbidden(identity, verb, target.kind(), target.name());
            }
            return;
        }
        Auth.Role needed;
        if (read) {
            needed = Auth.Role.viewer;
        } else if (target.kind() == Kind.IPCLAIM
                || (target.kind() == Kind.IPALLOCATION && !ex.method.equals("DELETE"))) {
            needed = Auth.Role.editor;
        } else {
            needed = Auth.Role.admin;
        }
        if (!identity.may(target.project(), needed)) {
            throw Auth.forbidden(identity, verb, target.kind(), target.project());
        }
    }

    private static void requireItem(Exchange ex, Target target) {
        if (target.collection()) {
            throw ApiException.methodNotAllowed(ex.method + " is allowed on a single object only: " + ex.path + "/{name}");
        }
    }

    static boolean isTrue(String value) {
        return "true".equals(value) || "1".equals(value);
    }

    static String project(Target target) {
        return target.project() == null ? "" : target.project();
    }

    static String scopeNamespace(Target target) {
        return target.kind().namespaced ? target.namespace() : "";
    }

    private static boolean linearizable(Exchange ex) {
        return !"0".equals(ex.param("resourceVersion"));
    }

    /** A read at the consistency the request asks for, failing with 404 when the project does not exist. */
    private <T> CompletableFuture<T> read(Exchange ex, Target target, Function<Replica.Snapshot, T> fn) {
        return read(linearizable(ex), target, fn);
    }

    <T> CompletableFuture<T> read(boolean linearizable, Target target, Function<Replica.Snapshot, T> fn) {
        return api.timed(replica.read(linearizable, snapshot -> {
            requireProject(snapshot, target);
            return fn.apply(snapshot);
        }));
    }

    /**
     * Runs {@code then} with the result of a write on the thread that completes it, or answers the
     * failure: the Raft replica completes writes on its own completion threads (never the apply
     * thread), so a second hand-off to a worker only to encode the answer is saved. {@code then} must
     * not block (it encodes and writes the answer).
     */
    <T> void onCompletion(Exchange ex, CompletableFuture<T> future, java.util.function.Consumer<T> then) {
        future.whenComplete(answering(ex, then));
    }

    /** Runs {@code then} on a worker with the value, or answers the failure. */
    <T> void onWorker(Exchange ex, CompletableFuture<T> future, java.util.function.Consumer<T> then) {
        future.whenCompleteAsync(answering(ex, then), api.rejectingAs429(ex));
    }

    /** {@code then} on success; the failure's answer otherwise, or when {@code then} throws. */
    private <T> java.util.function.BiConsumer<T, Throwable> answering(Exchange ex, java.util.function.Consumer<T> then) {
        return (value, error) -> {
            if (error != null) {
                api.failFromFuture(ex, error);
                return;
            }
            try {
                then.accept(value);
            } catch (ApiException e) {
                api.fail(ex, e);
            } catch (RuntimeException e) {
                api.failUnexpected(ex, e);
            }
        };
    }

    // ---- reads

    private void get(Exchange ex, Target target) {
        Format format = Format.negotiate(ex.header("Accept"));
        ReadVersions.ReadAt at = new ReadVersions.ReadAt(ReadVersions.version(ex.param("resourceVersion")), false);
        onWorker(ex, read(ex, target, s -> {
            at.check(s.appliedIndex());
            return Reads.get(s.view(), target.kind().core, project(target), scopeNamespace(target), target.name());
        }), resource -> {
            if (resource == null) {
                throw notFound(target);
            }
            if (format == Format.JSON) {
                ex.reply(200, Wire.JSON, model.toJsonBytes(resource));
                return;
            }
            ObjectNode object = model.toJson(resource);
            switch (format) {
                case TABLE -> api.reply(ex, 200, Tables.table(wire, target.kind(), List.of(object),
                        resource.metadata().resourceVersion() + "", null, ex.param("includeObject"), Instant.now()),
                        Format.TABLE);
                case PARTIAL -> api.reply(ex, 200, Tables.partial(wire, object), Format.PARTIAL);
                default -> api.reply(ex, 200, object, format);
            }
        });
    }

    static ApiException notFound(Target target) {
        return ApiException.notFound(target.kind().plural, target.name(), target.kind().plural + "." + target.kind().group
                + " \"" + target.name() + "\" not found");
    }

    private record Listed(Reads.Page page, long appliedIndex) {
    }

    Predicate<Resource> filter(Exchange ex, Kind kind) {
        Selectors.Selector labels = Selectors.labels(ex.param("labelSelector"));
        Selectors.Selector fields = Selectors.fields(ex.param("fieldSelector"), kind);
        return resource -> labels.matches(resource) && fields.matches(resource);
    }

    private int limit(Exchange ex) {
        String text = ex.param("limit");
        if (text == null || text.isEmpty()) {
            return api.config.listLimitMax();
        }
        try {
            long limit = Long.parseLong(text);
            if (limit < 0) {
                throw ApiException.badField("limit", "limit must not be negative: " + text);
            }
            return limit == 0 ? api.config.listLimitMax() : (int) Math.min(limit, api.config.listLimitMax());
        } catch (NumberFormatException e) {
            throw ApiException.badField("limit", "limit must be an integer: " + text);
        }
    }

    /** How many leading items fit in {@code bytesMax} of stored form (at least one). */
    static int itemsWithin(List<Resource> items, long bytesMax) {
        long total = 0;
        for (int i = 0; i < items.size(); i++) {
            total += Codec.encodeResource(items.get(i)).length;
            if (total > bytesMax) {
                return Math.max(1, i);
            }
        }
        return items.size();
    }

    private void list(Exchange ex, Target target) {
        Format format = Format.negotiate(ex.header("Accept"));
        Predicate<Resource> filter = filter(ex, target.kind());
        int limit = limit(ex);
        String continueKey = ex.param("continue");
        ReadVersions.ReadAt at = ReadVersions.list(ex);
        onWorker(ex, read(ex, target, s -> {
            at.check(s.appliedIndex());
            try {
                Reads.Page page = Reads.list(s.view(), target.kind().core, project(target), scopeNamespace(target), limit,
                        continueKey, filter);
                int fit = itemsWithin(page.items(), PAGE_BYTES_MAX);
                if (fit < page.items().size()) {
                    // Big objects (annotations up to 256 KiB): a shorter page from the same view, same order.
                    page = Reads.list(s.view(), target.kind().core, project(target), scopeNamespace(target), fit,
                            continueKey, filter);
                }
                return new Listed(page, s.appliedIndex());
            } catch (Reads.BadContinue e) {
                throw ApiException.badField("continue", "invalid continue token: " + e.getMessage());
            }
        }), listed -> {
            List<ObjectNode> items = new ArrayList<>(listed.page().items().size());
            for (Resource resource : listed.page().items()) {
                items.add(model.toJson(resource));
            }
            String rv = Long.toString(listed.appliedIndex());
            String next = listed.page().continueKey();
            if (format == Format.TABLE) {
                api.reply(ex, 200, Tables.table(wire, target.kind(), items, rv, next, ex.param("includeObject"),
                        Instant.now()), Format.TABLE);
                return;
            }
            ObjectNode list = wire.object();
            if (format == Format.PARTIAL) {
                list.put("apiVersion", "meta.k8s.io/v1");
                list.put("kind", "PartialObjectMetadataList");
            } else {
                list.put("apiVersion", target.kind().apiVersion());
                list.put("kind", target.kind().listKind());
            }
            ObjectNode metadata = list.putObject("metadata");
            metadata.put("resourceVersion", rv);
            if (next != null) {
                metadata.put("continue", next);
            }
            ArrayNode array = list.putArray("items");
            for (ObjectNode item : items) {
                array.add(format == Format.PARTIAL ? Tables.partial(wire, item) : item);
            }
            api.reply(ex, 200, list, format == Format.PARTIAL ? Format.PARTIAL : format);
        });
    }

    // ---- writes

    private Format writeFormat(Exchange ex) {
        Format format = Format.negotiate(ex.header("Accept"));
        return format == Format.YAML ? Format.YAML : Format.JSON;
    }

    private boolean dryRun(Exchange ex, JsonNode options) {
        List<String> values = new ArrayList<>();
        if (ex.query.get("dryRun") != null) {
            values.addAll(ex.query.get("dryRun"));
        }
        if (options != null) {
            for (JsonNode value : options.path("dryRun")) {
                values.add(value.asText());
            }
        }
        for (String value : values) {
            if (!value.equals("All")) {
                throw ApiException.badField("dryRun", "unsupported dryRun value \"" + value + "\": only All is supported");
            }
        }
        return !values.isEmpty();
    }

    private boolean ignoreUnknownFields(Exchange ex) {
        String value = ex.param("fieldValidation");
        if (value == null || value.isEmpty() || value.equals("Strict")) {
            return false;
        }
        if (value.equals("Ignore") || value.equals("Warn")) {
            return true;
        }
        throw ApiException.badField("fieldValidation", "fieldValidation must be Ignore, Warn or Strict, not \"" + value
                + "\"");
    }

    /** The body as an object: JSON or YAML by Content-Type; anything else is 415. */
    private ObjectNode body(Exchange ex) {
        String contentType = ex.header("Content-Type");
        String type = contentType == null ? Wire.JSON : Wire.mediaType(contentType);
        boolean yaml = switch (type) {
            case "application/json" -> false;
            case "application/yaml", "application/x-yaml", "text/yaml" -> true;
            default -> throw ApiException.unsupportedMediaType("the body of the request was in an unknown format \""
                    + type + "\" - accepted media types include: application/json, application/yaml");
        };
        return wire.readObject(ex.body, yaml);
    }

    /** apiVersion and kind must name this kind. */
    private static void checkTypeMeta(JsonNode object, Kind kind) {
        String apiVersion = ModelJson.text(object, "apiVersion");
        String kindName = ModelJson.text(object, "kind");
        if (apiVersion == null || apiVersion.isEmpty()) {
            throw ApiException.badField("apiVersion", "Object 'apiVersion' is missing: expected " + kind.apiVersion());
        }
        if (kindName == null || kindName.isEmpty()) {
            throw ApiException.badField("kind", "Object 'Kind' is missing: expected " + kind.kind);
        }
        if (!apiVersion.equals(kind.apiVersion())) {
            throw ApiException.badField("apiVersion", "the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + kind.apiVersion() + ")");
        }
        if (!kindName.equals(kind.kind)) {
            throw ApiException.badField("kind", "the kind in the data (" + kindName + ") does not match the expected kind ("
                    + kind.kind + ")");
        }
    }

    /** Strict decoding against the published schema: unknown fields and wrong types are 400, bad enums 422. */
    private void checkSchema(Exchange ex, JsonNode object, Kind kind, String name) {
        List<Schema.Problem> problems = Schema.problems();
        api.openApi.schema(kind).check(object, "", api.openApi.definitions(), ignoreUnknownFields(ex), problems, 20);
        if (problems.isEmpty()) {
            return;
        }
        List<ApiException.Cause> causes = new ArrayList<>();
        boolean structural = false;
        for (Schema.Problem problem : problems) {
            structural |= problem.structural();
            causes.add(new ApiException.Cause(problem.message().startsWith("unknown field") ? "FieldValueUnknown"
                    : problem.structural() ? "FieldValueTypeInvalid" : "FieldValueNotSupported", problem.message(),
                    problem.field()));
        }
        String first = problems.get(0).message();
        if (structural) {
            throw new ApiException(400, "BadRequest", "strict decoding error: " + first
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""), causes, kind.plural, name);
        }
        throw new ApiException(422, "Invalid", kind.kind + " \"" + name + "\" is invalid: " + problems.get(0).field()
                + ": " + first, causes, kind.kind, name);
    }

    private String requestId(Exchange ex, int attempt) {
        String id = ex.header("X-Request-Id");
        if (id == null || id.isBlank()) {
            return RequestIds.forWrite();
        }
        if (id.length() > 128) {
            throw ApiException.badRequest("X-Request-Id is longer than 128 characters");
        }
        return attempt == 0 ? id : id + "#" + attempt;
    }

    /** Applies a command for real, or to a discarded overlay when {@code dryRun}. */
    private CompletableFuture<Result> execute(String requestId, Command command, boolean dryRun) {
        byte[] encoded = Codec.encodeCommand(command);
        // The stateless checks the leader runs before logging: a bad name or CIDR is the client's 422,
        // not a replication failure.
        String problem = dryRunCore.check(encoded);
        if (problem != null) {
            return CompletableFuture.completedFuture(invalidCommand(problem));
        }
        if (dryRun) {
            return api.timed(replica.read(true, s -> {
                try (Overlay overlay = new Overlay(s.view())) {
                    return Codec.decodeResult(dryRunCore.apply(overlay, s.appliedIndex() + 1, System.currentTimeMillis(),
                            encoded));
                }
            }));
        }
        return api.timed(replica.submit(requestId, encoded))
                .thenApply(applied -> Codec.decodeResult(applied.result()));
    }

    /** A failed stateless check as a 422 naming the field its message starts with ("spec.cidr: ..."). */
    static Result invalidCommand(String problem) {
        int colon = problem.indexOf(": ");
        String field = colon > 0 && problem.substring(0, colon).matches("[A-Za-z0-9_.\\[\\]]+")
                ? problem.substring(0, colon) : null;
        return field == null
                ? Result.rejected(Result.Reason.Invalid, problem)
                : Result.rejected(Result.Reason.Invalid, field, problem);
    }

    private void answer(Exchange ex, Target target, String name, Result result, Format format) {
        if (result.ok()) {
            if (result.object() == null) {
                api.reply(ex, result.code(), api.status(result.code(), null, "", List.of(), target.kind().plural, name),
                        format);
            } else if (format == Format.JSON) {
                ex.reply(result.code(), Wire.JSON, model.toJsonBytes(result.object()));
            } else {
                api.reply(ex, result.code(), model.toJson(result.object()), format);
            }
            return;
        }
        api.fail(ex, rejection(target.kind(), name, result));
    }

    static ApiException rejection(Kind kind, String name, Result result) {
        List<ApiException.Cause> causes = new ArrayList<>();
        for (Result.Cause cause : result.causes()) {
            causes.add(new ApiException.Cause(cause.type(), cause.message(), cause.field()));
        }
        String reason = result.reason() == null ? "Unknown" : result.reason().name();
        String message = result.message();
        if (result.reason() == Result.Reason.Invalid && !message.contains(" is invalid: ")) {
            message = kind.kind + " \"" + name + "\" is invalid: " + message;
        }
        // As Kubernetes: an Invalid status names the kind (kubectl: The IPClaim "x" is invalid: ...),
        // the others the resource.
        return new ApiException(result.code(), reason, message, causes,
                result.reason() == Result.Reason.Invalid ? kind.kind : kind.plural, name);
    }

    private void create(Exchange ex, Target target) {
        Kind kind = target.kind();
        if (!kind.creatable) {
            throw ApiException.methodNotAllowed(kind.plural + " are created only by the server (one per bound claim)");
        }
        if (kind.namespaced && target.namespace() == null) {
            throw ApiException.methodNotAllowed("create " + kind.plural + " under " + Api.IPAM + "/namespaces/{namespace}/"
                    + kind.plural);
        }
        Format format = writeFormat(ex);
        ObjectNode body = body(ex);
        checkTypeMeta(body, kind);
        JsonNode metadata = body.path("metadata");
        String name = ModelJson.text(metadata, "name");
        checkSchema(ex, body, kind, name);
        if (name == null || name.isEmpty()) {
            throw ApiException.invalid(kind.kind, "", "metadata.name", "Required value: name is required "
                    + "(generateName is not supported)");
        }
        checkNamespace(metadata, target);
        boolean dryRun = dryRun(ex, null);
        Command command = createCommand(dev.ipam.core.Audit.actor(ex.identity.user(), ex.client), target, name, body);
        onCompletion(ex, execute(requestId(ex, 0), command, dryRun), result -> answer(ex, target, name, result, format));
    }

    private static void checkNamespace(JsonNode metadata, Target target) {
        String namespace = ModelJson.text(metadata, "namespace");
        if (target.kind().namespaced && namespace != null && !namespace.isEmpty()
                && !namespace.equals(target.namespace())) {
            throw ApiException.badField("metadata.namespace", "the namespace of the provided object (" + namespace
                    + ") does not match the namespace sent on the request (" + target.namespace() + ")");
        }
    }

    private Command createCommand(String actor, Target target, String name, JsonNode body) {
        JsonNode metadata = body.path("metadata");
        SortedMap<String, String> labels = ModelJson.stringMap(metadata.get("labels"));
        SortedMap<String, String> annotations = ModelJson.stringMap(metadata.get("annotations"));
        JsonNode spec = body.path("spec");
        return switch (target.kind()) {
            case IPPOOL -> new Command.CreatePool(actor, project(target), name, labels, annotations, model.poolSpec(spec));
            case IPCLAIM -> new Command.CreateClaim(actor, project(target), target.namespace(), name, labels,
                    annotations, model.claimSpec(spec));
            case PROJECT -> new Command.CreateProject(actor, name, labels, annotations, model.projectSpec(spec));
            case IPALLOCATION -> throw ApiException.methodNotAllowed("ipallocations are created only by the server");
        };
    }

    private static long resourceVersion(JsonNode metadata) {
        String text = ModelJson.text(metadata, "resourceVersion");
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            long value = Long.parseLong(text);
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badField("metadata.resourceVersion", "invalid resourceVersion \"" + text
                    + "\": a positive integer is expected");
        }
    }

    private Command updateCommand(String actor, Target target, JsonNode body, long expectedResourceVersion) {
        JsonNode metadata = body.path("metadata");
        SortedMap<String, String> labels = ModelJson.stringMap(metadata.get("labels"));
        SortedMap<String, String> annotations = ModelJson.stringMap(metadata.get("annotations"));
        JsonNode spec = body.get("spec");
        boolean hasSpec = spec != null && spec.isObject();
        String name = target.name();
        return switch (target.kind()) {
            case IPPOOL -> new Command.UpdatePool(actor, project(target), name, expectedResourceVersion, labels,
                    annotations, hasSpec ? model.poolSpec(spec) : null);
            case IPCLAIM -> new Command.UpdateClaim(actor, project(target), target.namespace(), name,
                    expectedResourceVersion, labels, annotations, hasSpec ? model.claimSpec(spec) : null);
            case IPALLOCATION -> new Command.UpdateAllocation(actor, project(target), target.namespace(), name,
                    expectedResourceVersion, labels, annotations);
            case PROJECT -> new Command.UpdateProject(actor, name, expectedResourceVersion, labels, annotations,
                    hasSpec ? model.projectSpec(spec) : null);
        };
    }

    /** The checks every full object written to an existing name goes through (PUT and the result of a patch). */
    private void checkReplacement(Exchange ex, Target target, JsonNode object) {
        checkTypeMeta(object, target.kind());
        JsonNode metadata = object.path("metadata");
        checkSchema(ex, object, target.kind(), target.name());
        String name = ModelJson.text(metadata, "name");
        if (name != null && !name.equals(target.name())) {
            throw ApiException.badField("metadata.name", "the name of the object (" + name
                    + ") does not match the name on the URL (" + target.name() + ")");
        }
        checkNamespace(metadata, target);
    }

    private void update(Exchange ex, Target target) {
        Format format = writeFormat(ex);
        ObjectNode body = body(ex);
        checkReplacement(ex, target, body);
        long expected = resourceVersion(body.path("metadata"));
        boolean dryRun = dryRun(ex, null);
        Command command = updateCommand(dev.ipam.core.Audit.actor(ex.identity.user(), ex.client), target, body, expected);
        onCompletion(ex, execute(requestId(ex, 0), command, dryRun),
                result -> answer(ex, target, target.name(), result, format));
    }

    private enum PatchType { MERGE, JSON_PATCH, APPLY }

    private void patch(Exchange ex, Target target) {
        Format format = writeFormat(ex);
        String contentType = ex.header("Content-Type");
        String type = contentType == null ? "" : Wire.mediaType(contentType);
        PatchType patchType = switch (type) {
            case "application/merge-patch+json", "application/strategic-merge-patch+json" -> PatchType.MERGE;
            case "application/json-patch+json" -> PatchType.JSON_PATCH;
            case "application/apply-patch+yaml", "application/apply-patch+json" -> PatchType.APPLY;
            default -> throw ApiException.unsupportedMediaType("the body of the request was in an unknown format \"" + type
                    + "\" - accepted media types include: application/json-patch+json, application/merge-patch+json, "
                    + "application/apply-patch+yaml");
        };
        JsonNode patch = patchType == PatchType.JSON_PATCH ? readArray(ex.body) : wire.readObject(ex.body,
                patchType == PatchType.APPLY);
        if (patchType == PatchType.APPLY) {
            checkTypeMeta(patch, target.kind());
            String manager = ex.param("fieldManager");
            if (manager == null || manager.isBlank()) {
                throw ApiException.invalid("PatchOptions", "", "fieldManager", "Required value: is required for apply patch");
            }
        }
        boolean dryRun = dryRun(ex, null);
        long pinned = patchType == PatchType.JSON_PATCH ? 0 : resourceVersion(patch.path("metadata"));
        patchAttempt(ex, target, format, patchType, patch, pinned, dryRun, 0);
    }

    private JsonNode readArray(byte[] body) {
        try {
            JsonNode node = wire.json.readTree(body);
            if (node == null || !node.isArray()) {
                throw ApiException.badRequest("a JSON patch must be an array of operations");
            }
            return node;
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getMessage());
        }
    }

    private void patchAttempt(Exchange ex, Target target, Format format, PatchType patchType, JsonNode patch,
                              long pinned, boolean dryRun, int attempt) {
        CompletableFuture<Resource> current = read(true, target, s -> Reads.get(s.view(), target.kind().core,
                project(target), scopeNamespace(target), target.name()));
        onWorker(ex, current, resource -> {
            if (resource == null) {
                if (patchType != PatchType.APPLY) {
                    throw notFound(target);
                }
                // Server-side apply of an object that does not exist creates it.
                ObjectNode object = AppliedFields.patch(wire.json, (ObjectNode) patch, null, ex.param("fieldManager"));
                checkReplacement(ex, target, object);
                if (!target.kind().creatable) {
                    throw ApiException.methodNotAllowed(target.kind().plural + " are created only by the server");
                }
                Command command = createCommand(dev.ipam.core.Audit.actor(ex.identity.user(), ex.client), target, target.name(), object);
                onWorker(ex, execute(requestId(ex, attempt), command, dryRun),
                        result -> answer(ex, target, target.name(), result, format));
                return;
            }
            ObjectNode currentJson = model.toJson(resource);
            ObjectNode unchanged = currentJson.deepCopy();
            unchanged.remove("status");
            JsonNode patched = switch (patchType) {
                case JSON_PATCH -> Patches.jsonPatch(currentJson, patch);
                case MERGE -> Patches.merge(currentJson, patch.deepCopy());
                // Apply: the configuration, less what this manager applied last time and dropped since.
                case APPLY -> Patches.merge(currentJson, AppliedFields.patch(wire.json, (ObjectNode) patch, currentJson,
                        ex.param("fieldManager")));
            };
            if (!patched.isObject()) {
                throw ApiException.badRequest("the patch does not leave an object");
            }
            ObjectNode object = (ObjectNode) patched;
            // The status is the server's: whatever a patch says about it is not a change to make.
            object.remove("status");
            checkReplacement(ex, target, object);
            if (object.equals(unchanged)) {
                // A patch that changes nothing writes nothing (no log entry, no new resourceVersion), as upstream.
                api.reply(ex, 200, model.toJson(resource), format);
                return;
            }
            long expected = pinned != 0 ? pinned : resource.metadata().resourceVersion();
            Command command = updateCommand(dev.ipam.core.Audit.actor(ex.identity.user(), ex.client), target, object, expected);
            onWorker(ex, execute(requestId(ex, attempt), command, dryRun), result -> {
                if (result.reason() == Result.Reason.Conflict && pinned == 0 && attempt + 1 < PATCH_ATTEMPTS_MAX) {
                    patchAttempt(ex, target, format, patchType, patch, pinned, dryRun, attempt + 1);
                    return;
                }
                answer(ex, target, target.name(), result, format);
            });
        });
    }

    private Command deleteCommand(String actor, Target target, String name, long expected) {
        return switch (target.kind()) {
            case IPPOOL -> new Command.DeletePool(actor, project(target), name, expected);
            case IPCLAIM -> new Command.DeleteClaim(actor, project(target), target.namespace(), name, expected);
            case IPALLOCATION -> new Command.DeleteAllocation(actor, project(target), target.namespace(), name,
                    expected);
            case PROJECT -> new Command.DeleteProject(actor, name, expected);
        };
    }

    /** DeleteOptions from the body, if any (kubectl sends one with propagationPolicy). */
    private JsonNode deleteOptions(Exchange ex) {
        if (ex.body.length == 0) {
            return null;
        }
        ObjectNode options = wire.readObject(ex.body, Wire.isYaml(ex.header("Content-Type")));
        String kindName = ModelJson.text(options, "kind");
        if (kindName != null && !kindName.equals("DeleteOptions")) {
            throw ApiException.badField("kind", "the body of a DELETE must be DeleteOptions, not " + kindName);
        }
        return options;
    }

    private void delete(Exchange ex, Target target) {
        Format format = writeFormat(ex);
        JsonNode options = deleteOptions(ex);
        boolean dryRun = dryRun(ex, options);
        long expected = options == null ? 0 : resourceVersion(options.path("preconditions"));
        Command command = deleteCommand(dev.ipam.core.Audit.actor(ex.identity.user(), ex.client), target, target.name(), expected);
        onCompletion(ex, execute(requestId(ex, 0), command, dryRun),
                result -> answer(ex, target, target.name(), result, format));
    }

    private void deleteCollection(Exchange ex, Target target) {
        Format format = writeFormat(ex);
        JsonNode options = deleteOptions(ex);
        boolean dryRun = dryRun(ex, options);
        Predicate<Resource> filter = filter(ex, target.kind());
        onWorker(ex, read(ex, target, s -> Reads.list(s.view(), target.kind().core, project(target), scopeNamespace(target),
                DELETE_COLLECTION_MAX, null, filter)), page -> {
            List<Resource> items = page.items();
            ObjectNode list = wire.object();
            list.put("apiVersion", target.kind().apiVersion());
            list.put("kind", target.kind().listKind());
            list.putObject("metadata");
            ArrayNode deleted = list.putArray("items");
            deleteEach(ex, target, items, 0, dryRun, deleted, null, list, format);
        });
    }

    /** Deletes one item after the other; answers the first rejection, or the list of what was deleted. */
    private void deleteEach(Exchange ex, Target target, List<Resource> items, int at, boolean dryRun, ArrayNode deleted,
                            ApiException firstFailure, ObjectNode list, Format format) {
        if (at == items.size()) {
            if (firstFailure != null) {
                api.fail(ex, firstFailure);
            } else {
                api.reply(ex, 200, list, format);
            }
            return;
        }
        Resource item = items.get(at);
        Target one = new Target(target.kind(), target.project(), item.metadata().namespace(), item.metadata().name(),
                false);
        Command command = deleteCommand(dev.ipam.core.Audit.actor(ex.identity.user(), ex.client), one, one.name(), item.metadata().resourceVersion());
        String requestId = RequestIds.forWrite();
        onWorker(ex, execute(requestId, command, dryRun), result -> {
            ApiException failure = firstFailure;
            if (result.ok() && result.object() != null) {
                deleted.add(model.toJson(result.object()));
            } else if (!result.ok() && failure == null && result.code() != 404) {
                failure = rejection(target.kind(), one.name(), result);
            }
            deleteEach(ex, target, items, at + 1, dryRun, deleted, failure, list, format);
        });
    }
}
