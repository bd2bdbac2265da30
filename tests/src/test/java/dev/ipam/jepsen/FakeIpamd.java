package dev.ipam.jepsen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * A single-process stand-in for ipamd that speaks the slice of the API the harness uses, to test the
 * client, workload and checker end to end without a cluster (and as a trivial listening process in
 * namespace tests). Its bugs on demand show the harness catches them: {@code staleReads} serves
 * lists from a copy refreshed every few writes; {@code doubleAllocate} hands out a block without
 * looking at the newest claim.
 */
final class FakeIpamd implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STALE_REFRESH_EVERY = 5;

    private final HttpServer server;
    private final boolean staleReads;
    private final boolean doubleAllocate;
    private final Map<String, Cidr> pools = new TreeMap<>();
    private final Map<String, TreeMap<String, Cidr>> claims = new TreeMap<>();
    private Map<String, TreeMap<String, Cidr>> stale = new TreeMap<>();
    private int writes;
    private String lastClaim;
    private final String primary;
    private final java.net.http.HttpClient forwarder = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(2)).build();

    FakeIpamd(String host, int port, boolean staleReads, boolean doubleAllocate) throws IOException {
        this(host, port, staleReads, doubleAllocate, null);
    }

    private final java.nio.file.Path stateFile;

    FakeIpamd(String host, int port, boolean staleReads, boolean doubleAllocate, String primary) throws IOException {
        this(host, port, staleReads, doubleAllocate, primary, null);
    }

    /**
     * @param primary when set, every API request is forwarded there (a "follower" of one primary)
     * @param dataDir when set, the state is saved there before each answer and loaded at start, so
     *     kill -9 and restart lose nothing acknowledged
     */
    FakeIpamd(String host, int port, boolean staleReads, boolean doubleAllocate, String primary,
              java.nio.file.Path dataDir) throws IOException {
        this.primary = primary;
        this.stateFile = dataDir == null ? null : dataDir.resolve("state.json");
        load();
        this.staleReads = staleReads;
        this.doubleAllocate = doubleAllocate;
        // Without it small responses wait for the client's delayed ACK (~40 ms a request).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
    }

    String address() {
        return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /**
     * {@code FakeIpamd ip:port [--peers id=ip:port,...] [--data-dir DIR] [--stale-reads] [--double-allocate]}: with
     * peers, the first one holds the state and the others forward to it, so that three of these in
     * namespaces behave as one linearizable (non-durable) service that partitions and pauses disturb.
     */
    public static void main(String[] args) throws Exception {
        List<String> words = java.util.Arrays.asList(args);
        String[] listen = args[0].split(":");
        String primary = null;
        int peers = words.indexOf("--peers");
        if (peers >= 0) {
            String first = args[peers + 1].split(",")[0];
            String firstAddress = first.substring(first.indexOf('=') + 1);
            primary = firstAddress.equals(args[0]) ? null : firstAddress;
        }
        int data = words.indexOf("--data-dir");
        new FakeIpamd(listen[0], Integer.parseInt(listen[1]), words.contains("--stale-reads"),
                words.contains("--double-allocate"), primary, data < 0 ? null : java.nio.file.Path.of(args[data + 1]));
        Thread.currentThread().join();
    }

    /** When set, API requests without {@code Authorization: Bearer <token>} get 401. */
    volatile String requiredToken;

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String token = requiredToken;
            if (token != null && path.startsWith("/apis/")
                    && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, status("Unauthorized"));
                return;
            }
            String method = exchange.getRequestMethod();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (primary != null && path.startsWith("/apis/")) {
                forward(exchange, body);
            } else if (path.equals("/readyz") || path.equals("/healthz")) {
                reply(exchange, 200, JSON.createObjectNode().put("status", "ok"));
            } else if (path.equals("/admin/cluster")) {
                ObjectNode status = JSON.createObjectNode().put("leaderId", "n1").put("self", "n1");
                status.putArray("members").addObject().put("id", "n1").put("role", "LEADER");
                reply(exchange, 200, status);
            } else if (path.endsWith("/projects") && method.equals("POST")) {
                reply(exchange, 201, JSON.readTree(body));
            } else if (path.endsWith("/ippools") && method.equals("POST")) {
                JsonNode pool = JSON.readTree(body);
                synchronized (this) {
                    pools.put(pool.path("metadata").path("name").asText(), Cidr.parse(pool.path("spec").path("cidr").asText()));
                    save();
                }
                reply(exchange, 201, pool);
            } else if (path.endsWith("/ipclaims") && method.equals("POST")) {
                createClaim(exchange, JSON.readTree(body));
            } else if (path.endsWith("/ipclaims") && method.equals("GET")) {
                list(exchange);
            } else if (path.contains("/ipclaims/") && method.equals("DELETE")) {
                delete(exchange, path.substring(path.lastIndexOf('/') + 1));
            } else {
                reply(exchange, 404, status("NotFound"));
            }
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://" + primary + exchange.getRequestURI()))
                .timeout(java.time.Duration.ofSeconds(3))
                .method(exchange.getRequestMethod(), body.length == 0
                        ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").build();
        try {
            java.net.http.HttpResponse<byte[]> response = forwarder.send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            reply(exchange, response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            reply(exchange, 503, status("ServiceUnavailable"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 503, status("ServiceUnavailable"));
        }
    }

    private synchronized void createClaim(HttpExchange exchange, JsonNode claim) throws IOException {
        String name = claim.path("metadata").path("name").asText();
        String pool = claim.path("spec").path("poolRef").path("name").asText();
        int length = claim.path("spec").path("prefixLength").asInt();
        Cidr poolCidr = pools.get(pool);
        if (poolCidr == null) {
            reply(exchange, 400, status("BadRequest"));
            return;
        }
        TreeMap<String, Cidr> live = claims.computeIfAbsent(pool, p -> new TreeMap<>());
        if (live.containsKey(name)) {
            reply(exchange, 409, status("AlreadyExists"));
            return;
        }
        Cidr block = firstFit(poolCidr, live, length);
        if (block == null) {
            reply(exchange, 507, status("InsufficientStorage"));
            return;
        }
        live.put(name, block);
        lastClaim = name;
        written();
        ObjectNode answer = (ObjectNode) claim;
        answer.putObject("status").put("phase", "Bound").put("allocatedCIDR", block.toString());
        reply(exchange, 201, answer);
    }

    private Cidr firstFit(Cidr pool, TreeMap<String, Cidr> live, int length) {
        long size = 1L << (32 - length);
        for (long address = pool.first(); address + size - 1 <= pool.last(); address += size) {
            Cidr candidate = new Cidr(address, length);
            boolean free = true;
            for (Map.Entry<String, Cidr> e : live.entrySet()) {
                boolean ignored = doubleAllocate && e.getKey().equals(lastClaim);
                if (!ignored && e.getValue().overlaps(candidate)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return candidate;
            }
        }
        return null;
    }

    private synchronized void delete(HttpExchange exchange, String name) throws IOException {
        for (TreeMap<String, Cidr> live : claims.values()) {
            if (live.remove(name) != null) {
                written();
                reply(exchange, 200, status("Success"));
                return;
            }
        }
        reply(exchange, 404, status("NotFound"));
    }

    private void written() throws IOException {
        save();
        writes++;
        if (!staleReads || writes % STALE_REFRESH_EVERY == 0) {
            stale = new TreeMap<>();
            claims.forEach((pool, live) -> stale.put(pool, new TreeMap<>(live)));
        }
    }

    private void save() throws IOException {
        if (stateFile == null) {
            return;
        }
        ObjectNode state = JSON.createObjectNode();
        ObjectNode poolsNode = state.putObject("pools");
        pools.forEach((name, cidr) -> poolsNode.put(name, cidr.toString()));
        ObjectNode claimsNode = state.putObject("claims");
        claims.forEach((pool, live) -> {
            ObjectNode poolClaims = claimsNode.putObject(pool);
            live.forEach((name, cidr) -> poolClaims.put(name, cidr.toString()));
        });
        java.nio.file.Path temporary = stateFile.resolveSibling("state.json.tmp");
        java.nio.file.Files.write(temporary, JSON.writeValueAsBytes(state));
        java.nio.file.Files.move(temporary, stateFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void load() throws IOException {
        if (stateFile == null || !java.nio.file.Files.exists(stateFile)) {
            return;
        }
        JsonNode state = JSON.readTree(stateFile.toFile());
        state.path("pools").fields().forEachRemaining(e -> pools.put(e.getKey(), Cidr.parse(e.getValue().asText())));
        state.path("claims").fields().forEachRemaining(pool -> {
            TreeMap<String, Cidr> live = new TreeMap<>();
            pool.getValue().fields().forEachRemaining(e -> live.put(e.getKey(), Cidr.parse(e.getValue().asText())));
            claims.put(pool.getKey(), live);
        });
        stale = new TreeMap<>();
        claims.forEach((pool, live) -> stale.put(pool, new TreeMap<>(live)));
    }

    private synchronized void list(HttpExchange exchange) throws IOException {
        String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
        String pool = null;
        for (String part : query.split("&")) {
            if (part.startsWith("fieldSelector=spec.poolRef.name=")) {
                pool = part.substring("fieldSelector=spec.poolRef.name=".length());
            }
        }
        Map<String, TreeMap<String, Cidr>> source = staleReads ? stale : claims;
        ObjectNode list = JSON.createObjectNode().put("kind", "IPClaimList");
        list.putObject("metadata").put("resourceVersion", Integer.toString(writes));
        ArrayNode items = list.putArray("items");
        String selected = pool;
        source.getOrDefault(pool, new TreeMap<>()).forEach((name, cidr) -> {
            ObjectNode item = items.addObject();
            item.putObject("metadata").put("name", name);
            item.putObject("spec").putObject("poolRef").put("name", selected);
            item.putObject("status").put("allocatedCIDR", cidr.toString());
        });
        reply(exchange, 200, list);
    }

    private static ObjectNode status(String reason) {
        return JSON.createObjectNode().put("kind", "Status").put("reason", reason);
    }

    private static void reply(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
