package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Ipam;
import dev.ipam.core.model.Project;
import dev.ipam.core.store.Export;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.server.Admin;
import dev.ipam.server.DirectReplica;
import dev.ipam.server.SingleNodeAdmin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * A started ApiServer on 127.0.0.1:0 over a DirectReplica on a MemoryStore running the real core,
 * with project "p1", and a JDK HttpClient to talk to it.
 */
final class Fixture implements AutoCloseable {
    static final String P1 = Api.PROJECTS + "/p1/control-plane";
    static final String IPAM = P1 + Api.IPAM;
    static final String CLAIMS = IPAM + "/namespaces/default/ipclaims";
    static final String POOLS = IPAM + "/ippools";
    static final ObjectMapper JSON = new ObjectMapper();

    final MemoryStore store = new MemoryStore();
    final DirectReplica replica;
    final ApiServer server;
    final HttpClient http;
    private final String scheme;

    Fixture() {
        this(ApiConfig.defaults(0));
    }

    Fixture(ApiConfig config) {
        this(config, null);
    }

    Fixture(ApiConfig config, Admin admin) {
        this(config, admin, Auth.off());
    }

    Fixture(ApiConfig config, Admin admin, Auth auth) {
        this(config, admin, auth, null, null);
    }

    /** With TLS from {@code tls}, and an HTTP client trusting {@code trust} (the same key store). */
    Fixture(ApiConfig config, Admin admin, Auth auth, Tls tls, javax.net.ssl.SSLContext trust) {
        this(config, admin, auth, tls, trust, Guards.unlimitedRate());
    }

    /** As above, with the given limits against abusive clients. */
    Fixture(ApiConfig config, Admin admin, Auth auth, Tls tls, javax.net.ssl.SSLContext trust, Guards guards) {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        http = (trust == null ? client : client.sslContext(trust)).build();
        scheme = tls == null ? "http" : "https";
        replica = new DirectReplica(store, new Ipam(), Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC), 0);
        replica.submit("create-p1", Codec.encodeCommand(new Command.CreateProject("test", "p1", new TreeMap<>(),
                new TreeMap<>(), new Project.ProjectSpec(null)))).join();
        server = new ApiServer(config, replica, admin != null ? admin : new SingleNodeAdmin("n1", "127.0.0.1", replica),
                new Ipam(), auth, tls, guards).start();
    }

    record Reply(int code, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + code + "): " + body, e);
            }
        }

        String reason() {
            return json().path("reason").asText();
        }

        @Override
        public String toString() {
            return code + " " + contentType + " " + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
        }
    }

    URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + server.port() + path);
    }

    Reply send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = http.send(builder.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Reply get(String path, String accept) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET());
    }

    Reply call(String method, String path, String contentType, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    Reply post(String path, String json) {
        return call("POST", path, "application/json", json);
    }

    Reply delete(String path) {
        return call("DELETE", path, null, null);
    }

    /** A digest of the whole stored state (the portable export), read on the apply thread. */
    String digest() {
        return replica.read(false, snapshot -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Export.write(snapshot.view(), out);
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).join();
    }

    static String pool(String name, String cidr, String family) {
        return """
                {"apiVersion":"ipam.miloapis.com/v1alpha1","kind":"IPPool","metadata":{"name":"%s","labels":{"tier":"web"}},
                 "spec":{"cidr":"%s","ipFamily":"%s"}}""".formatted(name, cidr, family);
    }

    static String claim(String name, String pool, int length) {
        return """
                {"apiVersion":"ipam.miloapis.com/v1alpha1","kind":"IPClaim","metadata":{"name":"%s","labels":{"app":"%s"}},
                 "spec":{"ipFamily":"IPv4","prefixLength":%d,"poolRef":{"name":"%s"}}}""".formatted(name, name, length, pool);
    }

    @Override
    public void close() {
        server.close();
        replica.close();
    }
}
