package dev.ipam.client.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ipam.client.Codec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the fake cluster: an HTTP server on 127.0.0.1 (ephemeral port) answering from the
 * shared {@link FakeIpam}. Faults: answer the next requests with an error code, apply the next
 * writes but drop the connection before answering (the ack is lost), stop entirely.
 */
public final class FakeNode {
    private static final Pattern PROJECTS = Pattern.compile("^/apis/resourcemanager\\.miloapis\\.com/v1alpha1/projects(?:/([^/]+))?$");
    private static final Pattern CONTROL_PLANE = Pattern.compile("^/apis/resourcemanager\\.miloapis\\.com/v1alpha1/projects/([^/]+)/control-plane(/.*)$");
    private static final Pattern POOLS = Pattern.compile("^/apis/ipam\\.miloapis\\.com/v1alpha1/ippools(?:/([^/]+))?$");
    private static final Pattern NAMESPACED = Pattern.compile("^/apis/ipam\\.miloapis\\.com/v1alpha1/namespaces/([^/]+)/(ipclaims|ipallocations)(?:/([^/]+))?$");
    private static final Pattern ALL_NAMESPACES = Pattern.compile("^/apis/ipam\\.miloapis\\.com/v1alpha1/(ipclaims|ipallocations)$");
    private static final int BODY_BYTES_MAX = 1 << 20;
    private static final long WATCH_DURATION_MS = 30_000;

    private final FakeIpam ipam;
    private final String id;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger dropsLeft = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    /** Event lines the next watch streams may still write before the node ends them; -1: no limit. */
    private final AtomicInteger watchLinesLeft = new AtomicInteger(-1);
    private volatile int failureCode = 503;
    private volatile boolean stopped;
    private volatile boolean ready = true;

    FakeNode(FakeIpam ipam, String id) throws IOException {
        this.ipam = ipam;
        this.id = id;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fake-" + id);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The node's id in cluster status. */
    public String id() {
        return id;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests this node received. */
    public int requests() {
        return requests.get();
    }

    /** Answers the next {@code count} requests with a Status of this code, touching nothing. */
    public void failNext(int count, int code) {
        failureCode = code;
        failuresLeft.set(count);
    }

    /** Applies the next {@code count} writes, then closes the connection without an answer. */
    public void dropAnswersAfterApply(int count) {
        dropsLeft.set(count);
    }

    /** Whether /readyz answers 200 (true) or 503. */
    public void ready(boolean value) {
        ready = value;
    }

    /**
     * Ends this node's watch streams once they have written {@code lines} more event lines in all
     * (once: later streams run on), e.g. halfway through the events of one entry.
     */
    public void endWatchesAfter(int lines) {
        watchLinesLeft.set(lines);
    }

    /** Stops serving: new connections are refused, open watches end. */
    public void stop() {
        stopped = true;
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try {
            if (stopped) {
                return;
            }
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(exchange, FakeIpam.status(failureCode, failureCode == 503 ? "ServiceUnavailable" : "InternalError",
                        "injected failure on " + id, null, null));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            if (path.equals("/healthz")) {
                sendText(exchange, 200, "ok");
                return;
            }
            if (path.equals("/readyz")) {
                sendText(exchange, ready ? 200 : 503, ready ? "ok" : "no leader");
                return;
            }
            FakeIpam.Answer auth = authorize(exchange, method);
            if (auth != null) {
                send(exchange, auth);
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(BODY_BYTES_MAX + 1);
            if (body.length > BODY_BYTES_MAX) {
                send(exchange, FakeIpam.status(413, "RequestEntityTooLarge", "body over " + BODY_BYTES_MAX + " bytes", null, null));
                return;
            }
            boolean write = !method.equals("GET");
            String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
            FakeIpam.Answer answer = write ? ipam.remembered(requestId) : null;
            if (answer == null) {
                if (method.equals("GET") && "true".equals(query.get("watch"))) {
                    watch(exchange, path, query);
                    return;
                }
                answer = route(method, path, query, body);
                if (write) {
                    ipam.remember(requestId, answer);
                }
            }
            if (write && dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return;
            }
            send(exchange, answer);
        } catch (BadBody e) {
            send(exchange, FakeIpam.status(400, "BadRequest", e.getMessage(), null, null));
        } catch (RuntimeException e) {
            try {
                send(exchange, FakeIpam.status(500, "InternalError", e.toString(), null, null));
            } catch (IOException | RuntimeException ignored) {
                // The answer could not be sent either; the client sees a dropped connection.
                exchange.close();
            }
        } finally {
            exchange.close();
        }
    }

    private FakeIpam.Answer authorize(HttpExchange exchange, String method) {
        String token = ipam.token;
        if (token == null) {
            return null;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (("Bearer " + token).equals(header)) {
            return null;
        }
        if (ipam.viewerToken != null && ("Bearer " + ipam.viewerToken).equals(header)) {
            return method.equals("GET") ? null
                    : FakeIpam.status(403, "Forbidden", "viewer may not " + method.toLowerCase() + " here", null, null);
        }
        return FakeIpam.status(401, "Unauthorized", "Unauthorized", null, null);
    }

    private FakeIpam.Answer route(String method, String path, Map<String, String> query, byte[] body) {
        boolean dryRun = "All".equals(query.get("dryRun"));
        if (path.startsWith("/admin/")) {
            return admin(method, path, body);
        }
        Matcher projects = PROJECTS.matcher(path);
        if (projects.matches()) {
            String name = projects.group(1);
            return switch (method) {
                case "GET" -> name == null ? ipam.listProjects() : ipam.getProject(name);
                case "POST" -> name == null ? ipam.createProject(object(body)) : notAllowed();
                case "DELETE" -> name == null ? notAllowed() : ipam.deleteProject(name);
                default -> notAllowed();
            };
        }
        Matcher plane = CONTROL_PLANE.matcher(path);
        if (!plane.matches()) {
            return FakeIpam.status(404, "NotFound", "the server could not find the requested resource " + path, null, null);
        }
        String project = plane.group(1);
        if (!ipam.projectExists(project)) {
            return FakeIpam.notFound("projects", project);
        }
        String inner = plane.group(2);
        Matcher pools = POOLS.matcher(inner);
        if (pools.matches()) {
            return objectVerb(method, project, "IPPool", null, pools.group(1), query, body, dryRun);
        }
        Matcher namespaced = NAMESPACED.matcher(inner);
        if (namespaced.matches()) {
            String kind = namespaced.group(2).equals("ipclaims") ? "IPClaim" : "IPAllocation";
            return objectVerb(method, project, kind, namespaced.group(1), namespaced.group(3), query, body, dryRun);
        }
        Matcher all = ALL_NAMESPACES.matcher(inner);
        if (all.matches() && method.equals("GET")) {
            return ipam.list(project, all.group(1).equals("ipclaims") ? "IPClaim" : "IPAllocation", null, query);
        }
        return FakeIpam.status(404, "NotFound", "the server could not find the requested resource " + inner, null, null);
    }

    private FakeIpam.Answer objectVerb(String method, String project, String kind, String namespace, String name,
                                       Map<String, String> query, byte[] body, boolean dryRun) {
        if (name == null) {
            return switch (method) {
                case "GET" -> ipam.list(project, kind, namespace, query);
                case "POST" -> switch (kind) {
                    case "IPPool" -> ipam.createPool(project, object(body), dryRun);
                    case "IPClaim" -> ipam.createClaim(project, namespace, object(body), dryRun);
                    default -> FakeIpam.status(405, "MethodNotAllowed", "IPAllocations are written by the server only", null, null);
                };
                default -> notAllowed();
            };
        }
        return switch (method) {
            case "GET" -> ipam.get(project, kind, namespace, name);
            case "PATCH" -> ipam.patch(project, kind, namespace, name, object(body), dryRun);
            case "PUT" -> ipam.update(project, kind, namespace, name, object(body));
            case "DELETE" -> switch (kind) {
                case "IPPool" -> ipam.deletePool(project, name);
                case "IPClaim" -> ipam.deleteClaim(project, namespace, name);
                default -> ipam.deleteAllocation(project, namespace, name);
            };
            default -> notAllowed();
        };
    }

    private FakeIpam.Answer admin(String method, String path, byte[] body) {
        if (path.equals("/admin/cluster") && method.equals("GET")) {
            return ipam.clusterStatus();
        }
        if (path.equals("/admin/cluster/peers") && method.equals("POST")) {
            return ipam.addPeer(object(body));
        }
        if (path.startsWith("/admin/cluster/peers/") && method.equals("DELETE")) {
            return ipam.removePeer(path.substring("/admin/cluster/peers/".length()));
        }
        if (path.equals("/admin/cluster/leader") && method.equals("POST")) {
            return ipam.transferLeader(object(body).path("id").asText(""));
        }
        if (path.equals("/admin/cluster/snapshot") && method.equals("POST")) {
            return ipam.snapshot();
        }
        return FakeIpam.status(404, "NotFound", "no admin endpoint " + method + " " + path, null, null);
    }

    private void watch(HttpExchange exchange, String path, Map<String, String> query) throws IOException {
        Matcher plane = CONTROL_PLANE.matcher(path);
        if (!plane.matches()) {
            send(exchange, FakeIpam.status(404, "NotFound", "cannot watch " + path, null, null));
            return;
        }
        String project = plane.group(1);
        String inner = plane.group(2);
        String kind;
        String namespace = null;
        Matcher m;
        if ((m = POOLS.matcher(inner)).matches()) {
            kind = "IPPool";
        } else if ((m = NAMESPACED.matcher(inner)).matches()) {
            kind = m.group(2).equals("ipclaims") ? "IPClaim" : "IPAllocation";
            namespace = m.group(1);
        } else if ((m = ALL_NAMESPACES.matcher(inner)).matches()) {
            kind = m.group(1).equals("ipclaims") ? "IPClaim" : "IPAllocation";
        } else {
            send(exchange, FakeIpam.status(404, "NotFound", "cannot watch " + inner, null, null));
            return;
        }
        Predicate<JsonNode> selected = Selectors.labels(query.get("labelSelector")).and(Selectors.fields(query.get("fieldSelector")));
        String version = query.get("resourceVersion");
        long cursor = version == null || version.isEmpty() || version.equals("0") ? ipam.resourceVersion() : Long.parseLong(version);
        List<FakeIpam.Event> backlog = ipam.eventsAfter(cursor);
        if (backlog == null && !ipam.goneAsEvent) {
            send(exchange, FakeIpam.status(410, "Expired", "too old resource version: " + cursor, null, null));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        long deadlineNs = System.nanoTime() + WATCH_DURATION_MS * 1_000_000L;
        boolean bookmarks = "true".equals(query.get("allowWatchBookmarks"));
        boolean first = true;
        try {
            while (!stopped && System.nanoTime() < deadlineNs) {
                List<FakeIpam.Event> events = first ? backlog : ipam.eventsAfter(cursor);
                if (events == null) {
                    ObjectNode line = FakeIpam.NODES.objectNode().put("type", "ERROR");
                    line.set("object", FakeIpam.statusBody(410, "Expired", "too old resource version: " + cursor, null, null));
                    writeLine(out, line);
                    return;
                }
                for (FakeIpam.Event event : events) {
                    cursor = Math.max(cursor, event.resourceVersion());
                    boolean inScope = event.project().equals(project) && event.kind().equals(kind)
                            && (namespace == null || namespace.equals(event.object().path("metadata").path("namespace").asText()));
                    if (inScope && selected.test(event.object())) {
                        ObjectNode line = FakeIpam.NODES.objectNode().put("type", event.type());
                        line.set("object", event.object());
                        writeLine(out, line);
                        if (watchLinesLeft.get() > 0 && watchLinesLeft.decrementAndGet() == 0) {
                            watchLinesLeft.set(-1);
                            return;
                        }
                    }
                }
                if (first && bookmarks) {
                    ObjectNode line = FakeIpam.NODES.objectNode().put("type", "BOOKMARK");
                    line.putObject("object").put("kind", kind).put("apiVersion", "ipam.miloapis.com/v1alpha1")
                            .putObject("metadata").put("resourceVersion", Long.toString(ipam.resourceVersion()));
                    writeLine(out, line);
                }
                first = false;
                ipam.awaitEvent(cursor, 50);
            }
        } catch (IOException e) {
            // The watcher hung up; nothing to clean but the exchange, which try-with-resources closes.
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeLine(OutputStream out, JsonNode line) throws IOException {
        out.write(Codec.JSON.writeValueAsBytes(line));
        out.write('\n');
        out.flush();
    }

    private static FakeIpam.Answer notAllowed() {
        return FakeIpam.status(405, "MethodNotAllowed", "method not allowed", null, null);
    }

    private static ObjectNode object(byte[] body) {
        try {
            JsonNode node = Codec.JSON.readTree(body);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            throw new BadBody("malformed JSON: " + e.getMessage());
        }
        throw new BadBody("the body must be a JSON object");
    }

    private static void send(HttpExchange exchange, FakeIpam.Answer answer) throws IOException {
        byte[] bytes = Codec.JSON.writeValueAsBytes(answer.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.code(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sendText(HttpExchange exchange, int code, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }

    /** A body that is not a JSON object: answered 400. */
    static final class BadBody extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadBody(String message) {
            super(message);
        }
    }
}
