package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.server.Admin;
import dev.ipam.server.Replica;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a request to discovery, OpenAPI, the resources of a project's control plane, projects, or
 * the admin and health endpoints; and turns every failure into a Kubernetes {@code Status}.
 */
final class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    /**
     * Every 401 and 403, one WARN line each (who, from where, what). Refusals change no state, so they
     * are not in the replicated audit trail (an unauthenticated client must not be able to write to
     * the Raft log); this node's log holds them. Its own logger so it can be routed or quietened.
     */
    static final Logger DENIED = LoggerFactory.getLogger("dev.ipam.security.denied");
    static final String PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
    static final String IPAM = "/apis/ipam.miloapis.com/v1alpha1";
    /**
     * How the Raft replica starts the message of an {@link Replica.Unavailable} that refused work for
     * saturation before applying anything: retryable, so 429 rather than 503.
     */
    static final String OVERLOADED = "overloaded: ";

    final ApiConfig config;
    final Wire wire;
    final Replica replica;
    /** The core dry runs are applied with (the one the replicas run). */
    final dev.ipam.core.Core core;
    final Admin admin;
    final Executor workers;
    final Discovery discovery;
    final OpenApi openApi;
    final Resources resources;
    final Metrics metrics = new Metrics();
    /** Backups streaming from this node now (see OpsRoutes.BACKUPS_CONCURRENT_MAX). */
    final java.util.concurrent.Semaphore backups = new java.util.concurrent.Semaphore(OpsRoutes.BACKUPS_CONCURRENT_MAX);
    final Auth auth;
    final RateLimiter rates;
    /** Refused credentials per client address per second, on average: slows token guessing. */
    static final int AUTH_FAILURES_PER_SECOND = 10;
    /** Refused credentials one address may send at once before that rate applies. */
    static final int AUTH_FAILURES_BURST_MAX = 50;
    /** Addresses whose refused-credential buckets are remembered. */
    static final int AUTH_FAILURE_ADDRESSES_MAX = 100_000;
    final RateLimiter authFailures = new RateLimiter(AUTH_FAILURES_PER_SECOND, AUTH_FAILURES_BURST_MAX,
            AUTH_FAILURE_ADDRESSES_MAX, System::nanoTime);

    Api(ApiConfig config, Replica replica, Admin admin, dev.ipam.core.Core core, Auth auth, Executor workers,
        RateLimiter rates) {
        this.rates = rates;
        this.config = config;
        this.wire = new Wire(config);
        this.replica = replica;
        this.core = core;
        this.auth = auth;
        this.admin = admin;
        this.workers = workers;
        this.discovery = new Discovery(wire);
        this.openApi = new OpenApi(wire);
        this.resources = new Resources(this);
        metrics.watches(resources.hub());
    }

    void start() {
        resources.start();
    }

    void close() {
        resources.close();
    }

    /** Entry point on a worker thread. Never throws. */
    void handle(Exchange ex) {
        org.slf4j.MDC.put("requestId", RequestIds.of(ex.header("X-Request-Id")));
        try {
            route(ex);
        } catch (ApiException e) {
            fail(ex, e);
        } catch (RuntimeException e) {
            try {
                failUnexpected(ex, e);
            } catch (RuntimeException again) {
                // Even the error answer failed: answer plainly rather than leave the client waiting forever.
                LOG.warn("answering {} {} failed", ex.method, ex.path, again);
                ex.reply(500, Wire.JSON, utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                        + "\"status\":\"Failure\",\"reason\":\"InternalError\",\"code\":500}"));
            }
        } finally {
            org.slf4j.MDC.remove("requestId");
        }
    }

    private void route(Exchange ex) {
        String path = ex.path;
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.equals("/metrics")) {
            ex.reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            return;
        }
        if (ConsoleRoutes.serves(path)) {
            ConsoleRoutes.handle(ex, ex.path);
            return;
        }
        if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
            new AdminRoutes(this).handle(ex, path);
            return;
        }
        authenticate(ex);
        if (path.startsWith("/admin/")) {
            if (!ex.identity.clusterAdmin()) {
                throw new ApiException(403, "Forbidden", "User \"" + ex.identity.user()
                        + "\" cannot use the cluster administration endpoints (admin on * is needed)", List.of(), null, null);
            }
            new AdminRoutes(this).handle(ex, path);
            return;
        }
        if (path.startsWith(PROJECTS + "/")) {
            String rest = path.substring(PROJECTS.length() + 1);
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.startsWith("control-plane", slash + 1)
                    && (rest.length() == slash + 14 || rest.charAt(slash + 14) == '/')) {
                String project = rest.substring(0, slash);
                String below = rest.substring(slash + 14);
                controlPlane(ex, project, below.isEmpty() ? "/" : below);
                return;
            }
            if (slash < 0) {
                resources.handle(ex, new Target(Kind.PROJECT, null, null, rest, false));
                return;
            }
            if (rest.endsWith("/status") && rest.indexOf('/') == rest.length() - 7) {
                resources.handle(ex, new Target(Kind.PROJECT, null, null, rest.substring(0, slash), true));
                return;
            }
            throw notFoundPath(ex);
        }
        if (path.equals(PROJECTS)) {
            resources.handle(ex, new Target(Kind.PROJECT, null, null, null, false));
            return;
        }
        if (!discoveryRoute(ex, path, Kind.PROJECT_GROUP)) {
            throw notFoundPath(ex);
        }
    }

    /**
     * Below a project's control-plane prefix; the project must exist (it is never created on the fly).
     * Discovery checks it with a linearizable read (a local one on a follower answered 404 for a project
     * just created through another node, the first thing kubectl asks after creating it); resource
     * reads check it inside their own linearizable read, and writes leave it to the core, which refuses
     * commands on a missing project.
     */
    private void controlPlane(Exchange ex, String project, String path) {
        if (AuditRoutes.handles(path)) {
            new AuditRoutes(this).handle(ex, project, path);
            return;
        }
        if (isResourcePath(path)) {
            resources.handle(ex, resourceTarget(ex, project, path));
            return;
        }
        resources.projectExists(project, !"0".equals(ex.param("resourceVersion"))).whenCompleteAsync((exists, error) -> {
            try {
                if (error != null) {
                    failFromFuture(ex, error);
                } else if (!ex.identity.may(project, Auth.Role.viewer)) {
                    fail(ex, new ApiException(403, "Forbidden", "User \"" + ex.identity.user()
                            + "\" cannot read the control plane of project \"" + project + "\"", List.of(), null, null));
                } else if (!exists) {
                    fail(ex, Resources.projectNotFound(project));
                } else if (!discoveryRoute(ex, path, Kind.IPAM_GROUP)) {
                    throw notFoundPath(ex);
                }
            } catch (ApiException e) {
                fail(ex, e);
            } catch (RuntimeException e) {
                failUnexpected(ex, e);
            }
        }, rejectingAs429(ex));
    }

    /**
     * Sets the request's identity and charges its rate bucket: per user when authenticated, per client
     * address when anonymous or refused (so guessing tokens is rate-limited too). 429 with Retry-After
     * when the bucket is empty.
     */
    private void authenticate(Exchange ex) {
        try {
            ex.identity = auth.authenticate(ex.header("Authorization"), ex.certificateName());
        } catch (ApiException unauthorized) {
            long waitMs = authFailures.admit(ex.client);
            if (waitMs > 0) {
                ex.retryAfterSeconds = (int) Math.min(3600, Math.max(1, (waitMs + 999) / 1000));
                throw ApiException.tooMany("too many refused credentials from " + ex.client + ": at most "
                        + AUTH_FAILURES_PER_SECOND + "/s (bursts of " + AUTH_FAILURES_BURST_MAX + "); retry after "
                        + ex.retryAfterSeconds + " s");
            }
            throttle(ex, "address:" + ex.client);
            throw unauthorized;
        }
        throttle(ex, auth.on() ? "user:" + ex.identity.user() : "address:" + ex.client);
    }

    private void throttle(Exchange ex, String key) {
        long waitMs = rates.admit(key);
        if (waitMs > 0) {
            ex.retryAfterSeconds = (int) Math.min(3600, Math.max(1, (waitMs + 999) / 1000));
            throw ApiException.tooMany("too many requests from " + key + ": " + rates.describe() + "; retry after " + ex.retryAfterSeconds + " s");
        }
    }

    private static boolean isResourcePath(String path) {
        return path.startsWith(IPAM + "/");
    }

    /**
     * The worker pool, answering 429 when its queue is full instead of dropping the request, and 503
     * when the node is shutting down: that is no back-pressure, and clients must go to another node.
     */
    java.util.concurrent.Executor rejectingAs429(Exchange ex) {
        return task -> {
            try {
                workers.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                if (workers instanceof java.util.concurrent.ExecutorService pool && pool.isShutdown()) {
                    fail(ex, ApiException.unavailable("this node is shutting down; retry on another node"));
                } else {
                    fail(ex, ApiException.tooMany("the server is busy: more than " + config.requestQueueMax()
                            + " requests are waiting (http.requestQueueMax); retry later"));
                }
            }
        };
    }

    /** Parses {@code /apis/ipam.miloapis.com/v1alpha1/[namespaces/{ns}/]{plural}[/{name}[/status]]}. */
    private Target resourceTarget(Exchange ex, String project, String path) {
        if (!path.startsWith(IPAM + "/")) {
            throw notFoundPath(ex);
        }
        String[] parts = path.substring(IPAM.length() + 1).split("/");
        String namespace = null;
        int i = 0;
        if (parts.length >= 3 && parts[0].equals("namespaces")) {
            namespace = parts[1];
            i = 2;
        } else if (parts.length == 2 && parts[0].equals("namespaces")) {
            // GET .../namespaces/{ns}: there is no Namespace kind; every namespace exists implicitly.
            throw ApiException.notFound("namespaces", parts[1], "the server could not find the requested resource");
        }
        Kind kind = Kind.byPlural(parts[i]);
        if (kind == null) {
            throw ApiException.notFound(parts[i], null, "the server could not find the requested resource ("
                    + parts[i] + " is not a resource of ipam.miloapis.com/v1alpha1)");
        }
        if (namespace != null && !kind.namespaced) {
            throw ApiException.notFound(kind.plural, null, kind.plural + " are not namespaced: use " + IPAM + "/"
                    + kind.plural);
        }
        String name = parts.length > i + 1 ? parts[i + 1] : null;
        boolean status = false;
        if (parts.length == i + 3 && parts[i + 2].equals("status")) {
            status = true;
        } else if (parts.length > i + 2) {
            throw notFoundPath(ex);
        }
        if (name != null && name.isEmpty()) {
            throw notFoundPath(ex);
        }
        if (kind.namespaced && namespace == null && name != null) {
            throw ApiException.notFound(kind.plural, name, kind.plural + " are namespaced: use " + IPAM
                    + "/namespaces/{namespace}/" + kind.plural + "/" + name);
        }
        return new Target(kind, project, namespace, name, status);
    }

    /** Discovery and OpenAPI documents; false when the path is not one of them. */
    private boolean discoveryRoute(Exchange ex, String path, String group) {
        ObjectNode doc;
        switch (path) {
            case "/version" -> doc = discovery.version();
            case "/api" -> doc = discovery.coreVersions();
            case "/apis" -> doc = discovery.groupList(List.of(group));
            case "/openapi/v3" -> doc = openApi.v3Index(List.of(group));
            case "/openapi/v2" -> {
                Format format = Format.negotiate(ex.header("Accept"));
                if (format != Format.JSON) {
                    throw ApiException.notAcceptable("/openapi/v2 is served as application/json only");
                }
                doc = openApi.v2();
            }
            default -> {
                if (path.equals("/apis/" + group)) {
                    doc = discovery.group(group);
                } else if (path.equals("/apis/" + group + "/" + Kind.VERSION)) {
                    doc = discovery.resourceList(group);
                } else if (path.equals("/openapi/v3/apis/" + group + "/" + Kind.VERSION)) {
                    doc = openApi.v3(group);
                } else {
                    return false;
                }
            }
        }
        if (!ex.method.equals("GET") && !ex.method.equals("HEAD")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + ex.path);
        }
        Format format = Format.negotiate(ex.header("Accept"));
        reply(ex, 200, doc, format == Format.YAML ? Format.YAML : Format.JSON);
        return true;
    }

    private static ApiException notFoundPath(Exchange ex) {
        return ApiException.notFound(null, null, "the server could not find the requested resource (" + ex.method + " "
                + ex.path + ")");
    }

    // ---- answers

    void reply(Exchange ex, int code, JsonNode body, Format format) {
        boolean yaml = format == Format.YAML;
        ex.reply(code, format.contentType(), wire.write(body, yaml));
    }

    ObjectNode status(int code, String reason, String message, List<ApiException.Cause> causes, String kind,
                      String name) {
        ObjectNode status = wire.object();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", code < 300 ? "Success" : "Failure");
        status.put("message", message);
        status.put("reason", reason);
        if (kind != null || name != null || !causes.isEmpty()) {
            ObjectNode details = status.putObject("details");
            if (name != null) {
                details.put("name", name);
            }
            if (kind != null) {
                details.put("group", kind.equals("projects") ? Kind.PROJECT_GROUP : Kind.IPAM_GROUP);
                details.put("kind", kind);
            }
            if (!causes.isEmpty()) {
                ArrayNode array = details.putArray("causes");
                for (ApiException.Cause cause : causes) {
                    ObjectNode c = array.addObject();
                    c.put("reason", cause.reason());
                    c.put("message", cause.message());
                    if (cause.field() != null) {
                        c.put("field", cause.field());
                    }
                }
            }
        }
        status.put("code", code);
        return status;
    }

    void fail(Exchange ex, ApiException e) {
        if (e.code == 401 || e.code == 403) {
            DENIED.warn("denied {} {} {} request {} from {} as {}: {}", e.code, ex.method, ex.path,
                    RequestIds.of(ex.header("X-Request-Id")), ex.client,
                    e.code == 401 ? "(unauthenticated)" : ex.identity.user(), e.getMessage());
        }
        Format format;
        try {
            format = Format.negotiate(ex.header("Accept"));
        } catch (ApiException notAcceptable) {
            format = Format.JSON;
        }
        ObjectNode status = status(e.code, e.reason, e.getMessage(), e.causes, e.kind, e.name);
        reply(ex, e.code, status, format == Format.YAML ? Format.YAML : Format.JSON);
    }

    void failUnexpected(Exchange ex, Throwable e) {
        LOG.warn("request {} {} failed unexpectedly", ex.method, ex.path, e);
        fail(ex, new ApiException(500, "InternalError", "an internal error occurred: " + e, List.of(), null, null));
    }

    /** Maps a failed replica future to 503 (no quorum), 504 (timed out) or 500. */
    void failFromFuture(Exchange ex, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ApiException api) {
            fail(ex, api);
        } else if (cause instanceof Replica.Unavailable && String.valueOf(cause.getMessage()).startsWith(OVERLOADED)) {
            fail(ex, ApiException.tooMany("the node is overloaded and applied nothing; retry later: " + cause.getMessage()));
        } else if (cause instanceof Replica.Unavailable) {
            fail(ex, ApiException.unavailable("the cluster is unavailable: " + cause.getMessage()));
        } else if (cause instanceof IllegalArgumentException) {
            fail(ex, ApiException.badRequest(cause.getMessage()));
        } else if (cause instanceof TimeoutException) {
            fail(ex, new ApiException(504, "Timeout", cause.getMessage() != null ? cause.getMessage()
                    : "the request did not complete within " + config.requestTimeoutMs()
                    + " ms (http.requestTimeoutMs); it may still take effect", List.of(), null, null));
        } else {
            failUnexpected(ex, cause);
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Bounds a replica call by the request timeout. */
    <T> CompletableFuture<T> timed(CompletableFuture<T> future) {
        return future.orTimeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
