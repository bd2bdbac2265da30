package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static dev.ipam.server.http.Fixture.IPAM;
import static dev.ipam.server.http.Fixture.POOLS;
import static dev.ipam.server.http.Fixture.claim;
import static dev.ipam.server.http.Fixture.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every refusal answers the right Status (code, reason, and the field at fault where there is one)
 * and leaves the stored state exactly as it was (the export digest is compared before and after).
 */
class RejectionsTest {
    static Fixture api;
    static final String P2 = Api.PROJECTS + "/p2/control-plane" + Api.IPAM;

    @BeforeAll
    static void start() {
        api = new Fixture(ApiConfig.defaults(0).withBodyBytesMax(16 * 1024).withJsonDepthMax(16));
        assertEquals(201, api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4")).code());
        assertEquals(201, api.post(POOLS, pool("tiny", "10.9.0.0/31", "IPv4")).code());
        assertEquals(201, api.post(CLAIMS, claim("c1", "web", 28)).code());
        assertEquals(201, api.post(CLAIMS, claim("t1", "tiny", 32)).code());
        assertEquals(201, api.post(CLAIMS, claim("t2", "tiny", 32)).code());
        assertEquals(201, api.post(Api.PROJECTS, """
                {"apiVersion":"resourcemanager.miloapis.com/v1alpha1","kind":"Project","metadata":{"name":"p2"},
                 "spec":{"quota":{"claims":1}}}""").code());
        assertEquals(201, api.post(P2 + "/ippools", pool("own", "10.2.0.0/24", "IPv4")).code());
        assertEquals(201, api.post(P2 + "/namespaces/default/ipclaims", claim("q1", "own", 30)).code());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Sends, checks code and reason, checks the state did not move; returns the Status. */
    private static JsonNode refused(int code, String reason, HttpRequest.Builder request) {
        String before = api.digest();
        Fixture.Reply reply = api.send(request);
        assertEquals(code, reply.code(), reply.toString());
        JsonNode status = reply.json();
        assertEquals("Status", status.path("kind").asText(), reply.toString());
        assertEquals("Failure", status.path("status").asText());
        assertEquals(reason, status.path("reason").asText(), reply.toString());
        assertEquals(code, status.path("code").asInt());
        assertTrue(!status.path("message").asText().isEmpty(), "a message says why");
        assertEquals(before, api.digest(), "the state is unchanged after " + reply);
        for (JsonNode cause : status.path("details").path("causes")) {
            String field = cause.path("field").asText();
            assertTrue(field.isEmpty() || !cause.path("message").asText().startsWith(field + ":"),
                    "kubectl and ipamctl print a cause as field: message; this one repeats its field: " + cause);
        }
        String kind = status.path("details").path("kind").asText();
        if (code == 422 && !kind.isEmpty()) {
            assertTrue(Character.isUpperCase(kind.charAt(0)), "an Invalid status names the kind (IPClaim), as Kubernetes: " + kind);
        }
        return status;
    }

    private static HttpRequest.Builder request(String method, String path, String contentType, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(api.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return contentType == null ? builder : builder.header("Content-Type", contentType);
    }

    private static HttpRequest.Builder postJson(String path, String body) {
        return request("POST", path, "application/json", body);
    }

    private static String field(JsonNode status) {
        return status.path("details").path("causes").path(0).path("field").asText();
    }

    @Test
    void malformedBodies() {
        refused(400, "BadRequest", postJson(CLAIMS, "{\"apiVersion\": "));
        refused(400, "BadRequest", postJson(CLAIMS, "[1,2,3]"));
        refused(400, "BadRequest", postJson(CLAIMS, ""));
        refused(400, "BadRequest", postJson(CLAIMS, claim("d1", "web", 28) + " trailing"));
        refused(400, "BadRequest", postJson(CLAIMS, "{\"kind\":\"IPClaim\",\"kind\":\"IPClaim\"}"));
        refused(400, "BadRequest", request("POST", CLAIMS, "application/yaml", "apiVersion: [unclosed\n  kind: :"));
        refused(400, "BadRequest", request("POST", CLAIMS, "application/yaml",
                "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: &d [*c, *c, *c]\ne: &e [*d, *d, *d]\n"
                        + "f: &f [*e, *e, *e]\ng: [*f, *f, *f]\n"));
    }

    @Test
    void wrongKindsAndVersions() {
        JsonNode kind = refused(400, "BadRequest", postJson(CLAIMS, claim("d1", "web", 28).replace("\"IPClaim\"", "\"IPPool\"")));
        assertEquals("kind", field(kind));
        JsonNode version = refused(400, "BadRequest", postJson(CLAIMS,
                claim("d1", "web", 28).replace("ipam.miloapis.com/v1alpha1", "ipam.miloapis.com/v1")));
        assertEquals("apiVersion", field(version));
        refused(400, "BadRequest", postJson(CLAIMS, "{\"metadata\":{\"name\":\"x\"}}"));
        refused(405, "MethodNotAllowed", postJson(IPAM + "/namespaces/default/ipallocations", "{}"));
        refused(404, "NotFound", postJson(IPAM + "/namespaces/default/widgets", claim("d1", "web", 28)));
    }

    @Test
    void unknownFieldsAreNamed() {
        JsonNode status = refused(400, "BadRequest", postJson(CLAIMS,
                claim("d1", "web", 28).replace("\"prefixLength\"", "\"colour\":\"red\",\"prefixLength\"")));
        assertEquals("spec.colour", field(status));
        assertTrue(status.path("message").asText().contains("unknown field \"spec.colour\""), status.toString());
        JsonNode type = refused(400, "BadRequest", postJson(CLAIMS, claim("d1", "web", 28).replace("28", "\"28\"")));
        assertEquals("spec.prefixLength", field(type));
        JsonNode enumValue = refused(422, "Invalid", postJson(CLAIMS, claim("d1", "web", 28).replace("IPv4", "IPv5")));
        assertEquals("spec.ipFamily", field(enumValue));
    }

    @Test
    void unknownFieldsAreDroppedWhenAskedTo() {
        Fixture.Reply reply = api.send(postJson(CLAIMS + "?fieldValidation=Ignore",
                claim("ign", "web", 30).replace("\"prefixLength\"", "\"colour\":\"red\",\"prefixLength\"")));
        assertEquals(201, reply.code(), reply.toString());
        assertTrue(reply.json().path("spec").path("colour").isMissingNode());
        assertEquals(200, api.delete(CLAIMS + "/ign").code());
    }

    @Test
    void fieldValidationByTheCore() {
        JsonNode name = refused(422, "Invalid", postJson(POOLS, pool("Bad_Name", "10.5.0.0/24", "IPv4")));
        assertEquals("metadata.name", field(name));
        JsonNode cidr = refused(422, "Invalid", postJson(POOLS, pool("bad", "10.5.0.1/24", "IPv4")));
        assertEquals("spec.cidr", field(cidr));
        JsonNode missingName = refused(422, "Invalid", postJson(CLAIMS, claim("", "web", 28)));
        assertEquals("metadata.name", field(missingName));
        JsonNode family = refused(400, "BadRequest", postJson(CLAIMS, claim("d1", "web", 64).replace("IPv4", "IPv6")));
        assertEquals("spec.ipFamily", field(family));
        refused(400, "BadRequest", postJson(CLAIMS, claim("d1", "nosuchpool", 28)));
    }

    @Test
    void immutableSpecAndNamesOnUpdate() {
        JsonNode immutable = refused(422, "Invalid", request("PATCH", CLAIMS + "/c1", "application/merge-patch+json",
                "{\"spec\":{\"prefixLength\":27}}"));
        assertEquals("spec.prefixLength", field(immutable));
        assertEquals("IPClaim", immutable.path("details").path("kind").asText());
        assertEquals("field is immutable", immutable.path("details").path("causes").path(0).path("message").asText());
        refused(422, "Invalid", request("PATCH", POOLS + "/web", "application/merge-patch+json",
                "{\"spec\":{\"cidr\":\"10.7.0.0/24\"}}"));
        JsonNode current = api.get(CLAIMS + "/c1").json();
        refused(400, "BadRequest", request("PUT", CLAIMS + "/other", "application/json", current.toString()));
        refused(400, "BadRequest", request("POST", CLAIMS, "application/json",
                claim("d1", "web", 28).replace("\"name\":\"d1\"", "\"name\":\"d1\",\"namespace\":\"elsewhere\"")));
        refused(405, "MethodNotAllowed", request("PUT", CLAIMS + "/c1/status", "application/json", current.toString()));
    }

    @Test
    void conflicts() {
        refused(409, "AlreadyExists", postJson(CLAIMS, claim("c1", "web", 28)));
        JsonNode current = api.get(CLAIMS + "/c1").json();
        String stale = current.toString().replace("\"resourceVersion\":\"" + current.path("metadata").path("resourceVersion").asText(),
                "\"resourceVersion\":\"1");
        refused(409, "Conflict", request("PUT", CLAIMS + "/c1", "application/json", stale));
        refused(409, "Conflict", request("DELETE", CLAIMS + "/c1", "application/json",
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"resourceVersion\":\"1\"}}"));
        refused(409, "Conflict", request("DELETE", POOLS + "/web", null, null));
        String allocation = current.path("status").path("boundAllocationRef").path("name").asText();
        refused(409, "Conflict", request("DELETE", IPAM + "/namespaces/default/ipallocations/" + allocation, null, null));
        refused(409, "Conflict", request("DELETE", Api.PROJECTS + "/p1", null, null));
    }

    @Test
    void notFound() {
        refused(404, "NotFound", request("GET", CLAIMS + "/nope", null, null));
        refused(404, "NotFound", request("DELETE", CLAIMS + "/nope", null, null));
        refused(404, "NotFound", request("PATCH", CLAIMS + "/nope", "application/merge-patch+json", "{}"));
        refused(404, "NotFound", request("GET", Api.PROJECTS + "/never/control-plane" + Api.IPAM + "/ippools", null, null));
        refused(404, "NotFound", request("GET", Api.PROJECTS + "/never/control-plane/apis", null, null));
        refused(404, "NotFound", request("GET", "/no/such/path", null, null));
        String never = Api.PROJECTS + "/never/control-plane" + Api.IPAM;
        refused(404, "NotFound", postJson(never + "/ippools", pool("web", "10.0.0.0/24", "IPv4")));
        refused(404, "NotFound", postJson(never + "/namespaces/default/ipclaims", claim("c1", "web", 28)));
        refused(404, "NotFound", request("GET", never + "/namespaces/default/ipclaims?watch=true&resourceVersion=1", null,
                null));
    }

    @Test
    void exhaustedPoolIs507AndStoresNothing() {
        JsonNode status = refused(507, "InsufficientStorage", postJson(CLAIMS, claim("t3", "tiny", 32)));
        assertTrue(status.path("message").asText().contains("tiny"), status.toString());
        assertEquals(404, api.get(CLAIMS + "/t3").code());
    }

    @Test
    void quotaIs429() {
        refused(429, "TooManyRequests", postJson(P2 + "/namespaces/default/ipclaims", claim("q2", "own", 30)));
    }

    @Test
    void crossProjectUseOfAPrivatePoolIsRefused() {
        String viaRef = claim("x1", "own", 30).replace("\"name\":\"own\"", "\"name\":\"own\",\"projectRef\":{\"name\":\"p2\"}");
        Fixture.Reply reply = api.send(postJson(CLAIMS, viaRef));
        assertTrue(reply.code() == 403 || reply.code() == 400, reply.toString());
        assertEquals(404, api.get(CLAIMS + "/x1").code());
    }

    @Test
    void mediaTypes() {
        refused(415, "UnsupportedMediaType", request("POST", CLAIMS, "text/plain", claim("d1", "web", 28)));
        refused(415, "UnsupportedMediaType", request("PATCH", CLAIMS + "/c1", "application/json", "{}"));
        refused(406, "NotAcceptable", HttpRequest.newBuilder(api.uri(CLAIMS + "/c1"))
                .header("Accept", "application/vnd.kubernetes.protobuf").GET());
        refused(405, "MethodNotAllowed", request("PUT", CLAIMS, "application/json", "{}"));
    }

    @Test
    void badSelectorsAndParameters() {
        JsonNode label = refused(400, "BadRequest", request("GET", CLAIMS + "?labelSelector=app%20in%20(a", null, null));
        assertTrue(label.path("message").asText().contains("labelSelector"), label.toString());
        refused(400, "BadRequest", request("GET", CLAIMS + "?labelSelector=-bad-=x", null, null));
        JsonNode fieldSel = refused(400, "BadRequest", request("GET", CLAIMS + "?fieldSelector=spec.cidr=10.0.0.0/28", null, null));
        assertTrue(fieldSel.path("message").asText().contains("spec.cidr"), fieldSel.toString());
        refused(400, "BadRequest", request("GET", CLAIMS + "?fieldSelector=nonsense", null, null));
        refused(400, "BadRequest", request("GET", CLAIMS + "?limit=ten", null, null));
        refused(400, "BadRequest", request("GET", CLAIMS + "?continue=%21%21notbase64", null, null));
        refused(400, "BadRequest", request("POST", CLAIMS + "?dryRun=Some", "application/json", claim("d1", "web", 28)));
        refused(400, "BadRequest", request("POST", CLAIMS + "?fieldValidation=Loose", "application/json", claim("d1", "web", 28)));
        refused(400, "BadRequest", request("GET", CLAIMS + "?watch=true&resourceVersion=abc", null, null));
    }

    @Test
    void limits() {
        String big = claim("big", "web", 28).replace("\"labels\":{", "\"annotations\":{\"pad\":\"" + "x".repeat(20_000) + "\"},\"labels\":{");
        refused(413, "RequestEntityTooLarge", postJson(CLAIMS, big));
        assertEquals(200, api.get(CLAIMS + "/c1").code(), "the server still answers after a 413");
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            deep.append("{\"a\":");
        }
        deep.append("1");
        deep.append("}".repeat(40));
        JsonNode depth = refused(400, "BadRequest", postJson(CLAIMS, deep.toString()));
        assertTrue(depth.path("message").asText().contains("limit"), depth.toString());
        String deepYaml = "a:\n" + "  ".repeat(1) + "- ".repeat(40) + "x\n";
        refused(400, "BadRequest", request("POST", CLAIMS, "application/yaml", deepYaml));
    }
}
