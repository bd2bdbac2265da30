package dev.ipam.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ipam.server.raft.RaftNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Stand-in HTTP surface until the Netty API server is merged: {@code /healthz}, {@code /readyz}
 * and {@code GET /admin/cluster} (the group status as JSON), enough for scripts to wait on nodes.
 */
final class HttpFront implements AutoCloseable {
    private final HttpServer server;

    private HttpFront(HttpServer server) {
        this.server = server;
    }

    static HttpFront start(Config config, RaftNode node) {
        String address = config.httpAddress();
        int colon = address.lastIndexOf(':');
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))), 128);
            ObjectMapper json = new ObjectMapper();
            Admin admin = node.admin();
            server.createContext("/healthz", exchange -> reply(exchange, admin.healthy() ? 200 : 503,
                    admin.healthy() ? "ok\n" : "unhealthy\n"));
            server.createContext("/readyz", exchange -> {
                Admin.Readiness readiness = admin.readiness();
                reply(exchange, readiness.ready() ? 200 : 503, readiness.reason() + "\n");
            });
            server.createContext("/admin/cluster", exchange -> reply(exchange, 200, json.writeValueAsString(admin.status())));
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "ipam-http-" + node.id());
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return new HttpFront(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
