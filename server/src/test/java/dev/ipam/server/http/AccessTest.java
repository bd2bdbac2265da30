package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static dev.ipam.server.http.Fixture.IPAM;
import static dev.ipam.server.http.Fixture.POOLS;
import static dev.ipam.server.http.Fixture.claim;
import static dev.ipam.server.http.Fixture.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control through HTTP with a hashed, reloading token file: every role against every verb,
 * cross-project attempts by name, by selector and by watch, wrong, expired and revoked tokens. Every
 * refusal leaves the state digest as it was.
 */
class AccessTest {
    static final String P2 = Api.PROJECTS + "/p2/control-plane" + Api.IPAM;
    static final String P2_CLAIMS = P2 + "/namespaces/default/ipclaims";
    static Fixture api;
    static Auth auth;
    static Path tokens;
    static final AtomicLong clockMs = new AtomicLong(Instant.parse("2026-11-21T12:00:00Z").toEpochMilli());
    static final List<InputStream> watches = new ArrayList<>();
    @TempDir
    static Path dir;

    static String line(String token, String user, String grants) {
        return Auth.SHA256 + Auth.hash(token) + " " + user + " " + grants + "\n";
    }

    @BeforeAll
    static void start() throws Exception {
        tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# hashed at rest\n"
                + line("root-secret", "root", "*=admin")
                + line("padm-secret", "padm", "p1=admin")
                + line("ped-secret", "ped", "p1=editor")
                + line("pview-secret", "pview", "p1=viewer")
                + line("carol-secret", "carol", "p2=admin")
                + line("temp-secret", "temp", "p1=viewer").strip() + " expires=2026-12-01T00:00:00Z\n"
                + line("old-secret", "old", "p1=viewer").strip() + " expires=2020-01-01T00:00:00Z\n");
        auth = Auth.watching(tokens, 20, clockMs::get);
        api = new Fixture(ApiConfig.defaults(0), null, auth);
        assertEquals(201, as("root-secret", "POST", Api.PROJECTS, project("p2")).code());
        assertEquals(201, as("root-secret", "POST", POOLS, pool("web", "10.0.0.0/16", "IPv4")).code());
        assertEquals(201, as("root-secret", "POST", POOLS, pool("shared", "10.9.0.0/24", "IPv4")
                .replace("\"ipFamily\":\"IPv4\"", "\"ipFamily\":\"IPv4\",\"visibility\":\"shared\",\"allowedProjects\":[\"p2\"]")
                .replace("\"tier\":\"web\"", "\"tier\":\"shared\"")).code());
        assertEquals(201, as("root-secret", "POST", P2 + "/ippools", pool("own", "10.2.0.0/24", "IPv4")).code());
    }

    @AfterAll
    static void stop() {
        for (InputStream watch : watches) {
            try {
                watch.close();
            } catch (IOException e) {
                // already closed
            }
        }
        api.close();
        auth.close();
    }

    static String project(String name) {
        return "{\"apiVersion\":\"resourcemanager.miloapis.com/v1alpha1\",\"kind\":\"Project\",\"metadata\":{\"name\":\""
                + name + "\"}}";
    }

    static Fixture.Reply as(String token, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return api.send(request);
    }

    static Fixture.Reply refused(int code, String token, String method, String path, String body) {
        String before = api.digest();
        Fixture.Reply reply = as(token, method, path, body);
        assertEquals(code, reply.code(), method + " " + path + " as " + token + ": " + reply);
        assertEquals(before, api.digest(), "a refused request changed the state: " + method + " " + path);
        return reply;
    }

    static Fixture.Reply refusedAny(String token, String method, String path, String body) {
        String before = api.digest();
        Fixture.Reply reply = as(token, method, path, body);
        assertTrue(reply.code() >= 400 && reply.code() < 500, method + " " + path + " as " + token + ": " + reply);
        assertEquals(before, api.digest(), "a refused request changed the state: " + method + " " + path);
        return reply;
    }

    /** One verb: what it needs (0 viewer, 1 editor, 2 admin, 3 cluster admin) and how to try it. */
    record Verb(String name, int needs, String method, String path, String body, String setUpPath, String setUpBody) {
    }

    static List<Verb> verbs(String tag, int n) {
        String claimName = "c-" + tag;
        String poolName = "pl-" + tag;
        String cidr = "10.1" + n + ".0.0/24";
        return List.of(
                new Verb("list claims", 0, "GET", CLAIMS, null, null, null),
                new Verb("get pool", 0, "GET", POOLS + "/web", null, null, null),
                new Verb("list allocations", 0, "GET", IPAM + "/ipallocations", null, null, null),
                new Verb("read discovery", 0, "GET", Fixture.P1 + "/apis", null, null, null),
                new Verb("create claim", 1, "POST", CLAIMS, claim(claimName, "web", 28), null, null),
                new Verb("delete claim", 1, "DELETE", CLAIMS + "/d" + claimName, null, CLAIMS, claim("d" + claimName, "web", 28)),
                new Verb("create pool", 2, "POST", POOLS, pool(poolName, cidr, "IPv4"), null, null),
                new Verb("delete pool", 2, "DELETE", POOLS + "/d" + poolName, null, POOLS,
                        pool("d" + poolName, "10.2" + n + ".0.0/24", "IPv4")),
                new Verb("create project", 3, "POST", Api.PROJECTS, project("q-" + tag), null, null),
                new Verb("list projects", 3, "GET", Api.PROJECTS, null, null, null),
                new Verb("admin cluster", 3, "GET", "/admin/cluster", null, null, null));
    }

    @Test
    void everyRoleAgainstEveryVerb() {
        record Who(String token, String tag, int rank) {
        }
        List<Who> who = List.of(new Who("carol-secret", "carol", -1), new Who("pview-secret", "pview", 0),
                new Who("ped-secret", "ped", 1), new Who("padm-secret", "padm", 2), new Who("root-secret", "root", 3));
        int n = 0;
        for (Who w : who) {
            n++;
            for (Verb v : verbs(w.tag(), n)) {
                if (v.setUpPath() != null) {
                    assertEquals(201, as("root-secret", "POST", v.setUpPath(), v.setUpBody()).code(), v.name());
                }
                if (w.rank() >= v.needs()) {
                    Fixture.Reply reply = as(w.token(), v.method(), v.path(), v.body());
                    assertTrue(reply.code() >= 200 && reply.code() < 300, w.tag() + " " + v.name() + ": " + reply);
                } else {
                    Fixture.Reply reply = refused(403, w.token(), v.method(), v.path(), v.body());
                    assertEquals("Forbidden", reply.reason(), reply.toString());
                }
            }
        }
    }

    @Test
    void wrongExpiredAndMissingTokensAre401() {
        refused(401, null, "GET", CLAIMS, null);
        refused(401, "root-secreT", "GET", CLAIMS, null);
        refused(401, Auth.hash("root-secret"), "GET", CLAIMS, null); // the stored hash is not a token
        refused(401, "old-secret", "GET", CLAIMS, null);
        assertEquals(200, as("temp-secret", "GET", CLAIMS, null).code());
        long now = clockMs.get();
        clockMs.set(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
        try {
            Fixture.Reply expired = refused(401, "temp-secret", "GET", CLAIMS, null);
            assertTrue(expired.json().path("message").asText().contains("expired"), expired.toString());
        } finally {
            clockMs.set(now);
        }
    }

    @Test
    void aRevokedTokenIsRefusedAfterTheFileIsReplaced() throws Exception {
        Path revoker = dir.resolve("revoker");
        Files.writeString(revoker, line("root-secret", "root", "*=admin") + line("rev-secret", "rev", "p1=viewer"));
        Auth own = Auth.watching(revoker, 20, System::currentTimeMillis);
        try (Fixture f = new Fixture(ApiConfig.defaults(0), null, own)) {
            HttpRequest.Builder get = HttpRequest.newBuilder(f.uri(CLAIMS)).header("Authorization", "Bearer rev-secret").GET();
            assertEquals(200, f.send(get).code());
            Path next = dir.resolve("revoker.next");
            Files.writeString(next, line("root-secret", "root", "*=admin"));
            Files.move(next, revoker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int code = 200;
            while (code == 200 && System.nanoTime() < deadline) {
                code = f.send(HttpRequest.newBuilder(f.uri(CLAIMS)).header("Authorization", "Bearer rev-secret").GET()).code();
            }
            assertEquals(401, code, "the revoked token still works 10 s after the file was replaced");
            assertEquals(200, f.send(HttpRequest.newBuilder(f.uri(CLAIMS))
                    .header("Authorization", "Bearer root-secret").GET()).code());
            // A broken file keeps the last good table.
            Files.writeString(next, "this is not a token line\n");
            Files.move(next, revoker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertThrowsIllegal(own);
            assertEquals(200, f.send(HttpRequest.newBuilder(f.uri(CLAIMS))
                    .header("Authorization", "Bearer root-secret").GET()).code());
        } finally {
            own.close();
        }
    }

    private static void assertThrowsIllegal(Auth own) {
        try {
            own.reloadIfChanged();
        } catch (IllegalArgumentException expected) {
            return;
        }
        // The poller may have tried (and failed) first: the stamp is then unchanged and nothing is thrown.
    }

    @Test
    void crossProjectByNameAndBySelector() {
        // By name: p2 names p1's private pool.
        String byRef = claim("x-ref", "web", 30).replace("\"name\":\"web\"", "\"name\":\"web\",\"projectRef\":{\"name\":\"p1\"}");
        refusedAny("carol-secret", "POST", P2_CLAIMS, byRef);
        assertEquals(404, as("carol-secret", "GET", P2_CLAIMS + "/x-ref", null).code());
        // By selector: a private pool that matches looks exactly like no pool at all.
        String hidden = selectorClaim("x-sel", "tier", "web");
        String nothing = selectorClaim("x-none", "tier", "no-such-tier");
        Fixture.Reply denied = refusedAny("carol-secret", "POST", P2_CLAIMS, hidden);
        Fixture.Reply none = refused(denied.code(), "carol-secret", "POST", P2_CLAIMS, nothing);
        assertEquals(none.reason(), denied.reason());
        assertEquals(none.json().path("message").asText().replace("no-such-tier", "web"),
                denied.json().path("message").asText().replace("x-sel", "x-none").replace("no-such-tier", "web"),
                "a denial by selector must read like no pool matches");
        // The shared pool is usable by p2, by name and by selector.
        String shared = claim("x-shared", "shared", 30).replace("\"name\":\"shared\"",
                "\"name\":\"shared\",\"projectRef\":{\"name\":\"p1\"}");
        assertEquals(201, as("carol-secret", "POST", P2_CLAIMS, shared).code());
        assertEquals(201, as("carol-secret", "POST", P2_CLAIMS, selectorClaim("x-shared-sel", "tier", "shared")).code());
        // Reading another project's objects by name or by list is forbidden.
        refused(403, "carol-secret", "GET", CLAIMS, null);
        refused(403, "carol-secret", "GET", POOLS + "/web", null);
        refused(403, "carol-secret", "GET", CLAIMS + "?labelSelector=app%3Dc1", null);
        refused(403, "ped-secret", "GET", P2_CLAIMS + "/x-shared", null);
        // carol's own list holds her claims only.
        for (JsonNode item : as("carol-secret", "GET", P2_CLAIMS, null).json().path("items")) {
            String name = item.path("metadata").path("name").asText();
            assertTrue(name.startsWith("x-") || name.startsWith("w-"), item.toString());
        }
    }

    static String selectorClaim(String name, String key, String value) {
        return """
                {"apiVersion":"ipam.miloapis.com/v1alpha1","kind":"IPClaim","metadata":{"name":"%s"},
                 "spec":{"ipFamily":"IPv4","prefixLength":30,"poolSelector":{"matchLabels":{"%s":"%s"},
                 "projectRef":{"name":"p1"}}}}""".formatted(name, key, value);
    }

    @Test
    void watchesNeverLeakOtherProjects() throws Exception {
        // Watching another project is forbidden outright.
        HttpResponse<InputStream> foreign = watch("carol-secret", CLAIMS + "?watch=true");
        assertEquals(403, foreign.statusCode());
        foreign.body().close();
        // carol watches her own allocations and claims; p1's changes must not show up there.
        BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        HttpResponse<InputStream> own = watch("carol-secret", P2_CLAIMS + "?watch=true&resourceVersion=0");
        assertEquals(200, own.statusCode());
        read(own.body(), events);
        assertEquals(201, as("ped-secret", "POST", CLAIMS, claim("leak-check", "web", 29)).code());
        assertEquals(201, as("carol-secret", "POST", P2 + "/namespaces/default/ipclaims",
                claim("w-marker", "own", 30)).code());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean marker = false;
        while (!marker && System.nanoTime() < deadline) {
            JsonNode event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event == null) {
                continue;
            }
            String name = event.path("object").path("metadata").path("name").asText();
            assertNotEquals("leak-check", name, "p1's claim leaked into p2's watch: " + event);
            marker = name.equals("w-marker");
        }
        assertTrue(marker, "carol's own claim never showed on her watch");
    }

    @Test
    void auditTrailAndAddressHistoryAreProjectScoped() {
        assertEquals(201, as("ped-secret", "POST", CLAIMS, claim("aud1", "web", 28)).code());
        String cidr = as("ped-secret", "GET", CLAIMS + "/aud1", null).json().path("status").path("allocatedCIDR").asText();
        String ip = cidr.substring(0, cidr.indexOf('/'));
        assertEquals(200, as("ped-secret", "DELETE", CLAIMS + "/aud1", null).code());

        refused(403, "pview-secret", "GET", Fixture.P1 + "/audit", null);
        refused(403, "carol-secret", "GET", Fixture.P1 + "/audit", null);
        JsonNode created = null;
        String cont = "";
        for (int page = 0; page < 100 && created == null; page++) {
            Fixture.Reply reply = as("padm-secret", "GET", Fixture.P1 + "/audit?limit=5" + cont, null);
            assertEquals(200, reply.code(), reply.toString());
            for (JsonNode item : reply.json().path("items")) {
                assertEquals("p1", item.path("project").asText(), item.toString());
                if (item.path("name").asText().equals("aud1") && item.path("command").asText().equals("CreateClaim")) {
                    created = item;
                }
            }
            String next = reply.json().path("metadata").path("continue").asText();
            if (next.isEmpty()) {
                break;
            }
            cont = "&continue=" + next;
        }
        assertTrue(created != null, "the claim's creation is not in the audit trail");
        assertEquals("ped", created.path("user").asText());
        assertEquals("127.0.0.1", created.path("address").asText());
        assertEquals(201, created.path("code").asInt());
        assertEquals(cidr, created.path("blocks").path(0).path("cidr").asText());

        JsonNode history = as("pview-secret", "GET", Fixture.P1 + "/addresses/" + ip + "/history", null).json();
        List<String> events = new ArrayList<>();
        for (JsonNode e : history.path("items")) {
            if (e.path("claim").asText().equals("aud1")) {
                events.add(e.path("event").asText());
            }
        }
        assertEquals(List.of("held", "released"), events, history.toString());
        refused(400, "pview-secret", "GET", Fixture.P1 + "/addresses/not-an-ip/history", null);
        refused(403, "carol-secret", "GET", Fixture.P1 + "/addresses/" + ip + "/history", null);
        assertEquals(0, as("carol-secret", "GET", Api.PROJECTS + "/p2/control-plane/addresses/" + ip + "/history", null)
                .json().path("items").size(), "p2 sees blocks of p1's private pool");

        // A block of p1's shared pool held by p2: both the pool's owner and the holder see it.
        String shared = claim("aud-shared", "shared", 30).replace("\"name\":\"shared\"",
                "\"name\":\"shared\",\"projectRef\":{\"name\":\"p1\"}");
        assertEquals(201, as("carol-secret", "POST", P2_CLAIMS, shared).code());
        String sharedCidr = as("carol-secret", "GET", P2_CLAIMS + "/aud-shared", null).json().path("status")
                .path("allocatedCIDR").asText();
        String sharedIp = sharedCidr.substring(0, sharedCidr.indexOf('/'));
        for (String who : List.of("pview-secret", "carol-secret")) {
            String project = who.startsWith("carol") ? "p2" : "p1";
            JsonNode seen = as(who, "GET", Api.PROJECTS + "/" + project + "/control-plane/addresses/" + sharedIp + "/history",
                    null).json();
            boolean found = false;
            for (JsonNode e : seen.path("items")) {
                found |= e.path("claim").asText().equals("aud-shared") && e.path("holderProject").asText().equals("p2");
            }
            assertTrue(found, who + " does not see the shared block: " + seen);
        }
    }

    static HttpResponse<InputStream> watch(String token, String path) throws Exception {
        HttpResponse<InputStream> response = api.http.send(HttpRequest.newBuilder(api.uri(path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        watches.add(response.body());
        return response;
    }

    static void read(InputStream body, BlockingQueue<JsonNode> into) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String l = lines.readLine(); l != null; l = lines.readLine()) {
                    if (!l.isBlank()) {
                        into.add(Fixture.JSON.readTree(l));
                    }
                }
            } catch (IOException e) {
                // closed by the test
            }
        }, "access-watch-reader");
        reader.setDaemon(true);
        reader.start();
    }
}
