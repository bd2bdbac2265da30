package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static dev.ipam.server.http.Fixture.P1;
import static dev.ipam.server.http.Fixture.POOLS;
import static dev.ipam.server.http.Fixture.claim;
import static dev.ipam.server.http.Fixture.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens and per-project roles: 401 without an identity, 403 without the role, state untouched. */
class AuthTest {
    static Fixture api;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, """
                # token user grants
                root-token   root   *=admin
                alice-token  alice  p1=editor
                bob-token    bob    p1=viewer
                carol-token  carol  p2=admin
                """);
        api = new Fixture(ApiConfig.defaults(0), null, Auth.load(tokens));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static Fixture.Reply as(String token, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return api.send(request);
    }

    private static void refused(int code, String reason, String token, String method, String path, String body) {
        String before = api.digest();
        Fixture.Reply reply = as(token, method, path, body);
        assertEquals(code, reply.code(), reply.toString());
        assertEquals(reason, reply.reason(), reply.toString());
        assertEquals(before, api.digest());
    }

    @Test
    void rolesDecide() {
        assertEquals(201, as("root-token", "POST", POOLS, pool("web", "10.0.0.0/24", "IPv4")).code());
        refused(401, "Unauthorized", null, "GET", CLAIMS, null);
        refused(401, "Unauthorized", "nobody", "GET", CLAIMS, null);
        assertEquals(200, api.get("/healthz").code(), "health needs no identity");

        assertEquals(200, as("bob-token", "GET", CLAIMS, null).code());
        assertEquals(200, as("bob-token", "GET", P1 + "/apis", null).code());
        refused(403, "Forbidden", "bob-token", "POST", CLAIMS, claim("c1", "web", 28));
        assertEquals(201, as("alice-token", "POST", CLAIMS, claim("c1", "web", 28)).code());
        refused(403, "Forbidden", "alice-token", "POST", POOLS, pool("other", "10.1.0.0/24", "IPv4"));
        refused(403, "Forbidden", "alice-token", "DELETE", POOLS + "/web", null);
        refused(403, "Forbidden", "carol-token", "GET", CLAIMS, null);
        refused(403, "Forbidden", "carol-token", "GET", P1 + "/apis", null);
        Fixture.Reply forbidden = as("bob-token", "DELETE", CLAIMS + "/c1", null);
        assertTrue(forbidden.json().path("message").asText().contains("User \"bob\" cannot delete"), forbidden.toString());

        refused(403, "Forbidden", "alice-token", "GET", "/admin/cluster", null);
        assertEquals(200, as("root-token", "GET", "/admin/cluster", null).code());
        refused(403, "Forbidden", "alice-token", "GET", Api.PROJECTS, null);
        assertEquals(200, as("alice-token", "GET", Api.PROJECTS + "/p1", null).code(), "a member reads its project");
        refused(403, "Forbidden", "alice-token", "DELETE", Api.PROJECTS + "/p1", null);
        assertEquals(200, as("root-token", "GET", Api.PROJECTS, null).code());
    }

    @Test
    void badTokenFilesNameTheLine() throws Exception {
        Path bad = dir.resolve("bad-tokens");
        Files.writeString(bad, "t1 u1 p1=viewer\nt2 u2 p1=owner\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Auth.load(bad));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("p1=owner"), e.getMessage());
    }
}
