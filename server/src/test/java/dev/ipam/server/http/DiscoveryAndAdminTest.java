package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.P1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.server.Admin;
import dev.ipam.server.Replica;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Discovery, OpenAPI, admin and health endpoints. */
class DiscoveryAndAdminTest {

    @Test
    void discoveryDescribesTheThreeKinds() {
        try (Fixture api = new Fixture()) {
            assertEquals("1", api.get(P1 + "/version").json().path("major").asText());
            assertEquals("APIVersions", api.get(P1 + "/api").json().path("kind").asText());
            JsonNode groups = api.get(P1 + "/apis").json();
            assertEquals("APIGroupList", groups.path("kind").asText());
            assertEquals("ipam.miloapis.com/v1alpha1",
                    groups.path("groups").get(0).path("preferredVersion").path("groupVersion").asText());
            JsonNode resources = api.get(P1 + Api.IPAM).json();
            assertEquals("APIResourceList", resources.path("kind").asText());
            List<String> summary = new ArrayList<>();
            for (JsonNode resource : resources.path("resources")) {
                if (!resource.path("name").asText().contains("/")) {
                    summary.add(resource.path("name").asText() + ":" + resource.path("kind").asText() + ":"
                            + resource.path("namespaced").asBoolean() + ":" + resource.path("shortNames").get(0).asText());
                }
            }
            assertEquals(List.of("ippools:IPPool:false:ippool", "ipclaims:IPClaim:true:ipclaim",
                    "ipallocations:IPAllocation:true:ipalloc"), summary);
            JsonNode claims = resources.path("resources").get(2);
            assertTrue(claims.path("verbs").toString().contains("watch"), claims.toString());
            assertTrue(claims.path("verbs").toString().contains("deletecollection"), claims.toString());
        }
    }

    @Test
    void openApiV3NamesEveryKindAndAdvertisesServerSideValidation() {
        try (Fixture api = new Fixture()) {
            JsonNode index = api.get(P1 + "/openapi/v3").json();
            String url = index.path("paths").path("apis/ipam.miloapis.com/v1alpha1").path("serverRelativeURL").asText();
            assertTrue(url.startsWith("/openapi/v3/apis/ipam.miloapis.com/v1alpha1?hash="), url);
            JsonNode doc = api.get(P1 + url).json();
            JsonNode schemas = doc.path("components").path("schemas");
            for (String kind : List.of("IPPool", "IPClaim", "IPAllocation")) {
                JsonNode schema = schemas.path("com.miloapis.ipam.v1alpha1." + kind);
                assertEquals(kind, schema.path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
            }
            JsonNode claimSpec = schemas.path("com.miloapis.ipam.v1alpha1.IPClaim").path("properties").path("spec");
            assertEquals("integer", claimSpec.path("properties").path("prefixLength").path("type").asText());
            JsonNode patch = doc.path("paths").path("/apis/ipam.miloapis.com/v1alpha1/namespaces/{namespace}/ipclaims/{name}")
                    .path("patch");
            assertTrue(patch.path("parameters").toString().contains("fieldValidation"));
            String listParameters = doc.path("paths").path("/apis/ipam.miloapis.com/v1alpha1/namespaces/{namespace}/ipclaims")
                    .path("get").path("parameters").toString();
            for (String parameter : List.of("resourceVersionMatch", "sendInitialEvents", "allowWatchBookmarks")) {
                assertTrue(listParameters.contains("\"" + parameter + "\""), parameter + " in " + listParameters);
            }
            assertFalse(patch.path("requestBody").toString().contains("strategic-merge-patch"),
                    "no strategic merge advertised: kubectl apply sends a JSON merge patch, as for CRDs");
            JsonNode v2 = api.get(P1 + "/openapi/v2", "application/json").json();
            assertEquals("2.0", v2.path("swagger").asText());
            assertEquals(406, api.get(P1 + "/openapi/v2",
                    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf").code());
            JsonNode projects = api.get(Api.PROJECTS.replace("/projects", "")).json();
            assertEquals("projects", projects.path("resources").get(0).path("name").asText());
        }
    }

    @Test
    void adminAndHealthOverTheSingleNodeAdmin() {
        try (Fixture api = new Fixture()) {
            assertEquals(200, api.get("/healthz").code());
            assertEquals(200, api.get("/readyz").code());
            JsonNode cluster = api.get("/admin/cluster").json();
            assertEquals("n1", cluster.path("leaderId").asText());
            assertEquals("LEADER", cluster.path("members").get(0).path("role").asText());
            assertTrue(cluster.has("appliedIndex") && cluster.has("commitIndex") && cluster.has("term"), cluster.toString());
            JsonNode snapshot = api.call("POST", "/admin/cluster/snapshot", null, null).json();
            assertEquals(cluster.path("appliedIndex").asLong(), snapshot.path("index").asLong());
            Fixture.Reply add = api.call("POST", "/admin/cluster/peers", "application/json",
                    "{\"id\":\"n2\",\"raftAddress\":\"127.0.0.1:9001\",\"httpAddress\":\"127.0.0.1:8001\"}");
            assertEquals(501, add.code(), add.toString());
            Fixture.Reply missing = api.call("POST", "/admin/cluster/peers", "application/json", "{\"id\":\"n2\"}");
            assertEquals(400, missing.code(), missing.toString());
            assertEquals("raftAddress", missing.json().path("details").path("causes").get(0).path("field").asText());
            assertEquals(501, api.call("DELETE", "/admin/cluster/peers/n2", null, null).code());
            assertEquals(200, api.call("POST", "/admin/cluster/leader", "application/json", "{\"id\":\"n1\"}").code());
            assertEquals(400, api.call("POST", "/admin/cluster/leader", "application/json", "{\"id\":\"n9\"}").code());
            assertEquals(405, api.call("DELETE", "/admin/cluster", null, null).code());
            Fixture.Reply metrics = api.get("/metrics");
            assertEquals(200, metrics.code());
            assertTrue(metrics.body().contains("ipam_http_requests_total{code=\"501\",resource=\"other\",verb=\"admin\"} 2.0"), metrics.body());
            assertTrue(metrics.body().contains("ipam_http_request_duration_seconds_bucket"), metrics.body());
            assertTrue(metrics.body().contains("ipam_http_watches_open 0"), metrics.body());
        }
    }

    /** An Admin whose readiness and futures the test sets. */
    static final class FakeAdmin implements Admin {
        volatile Readiness readiness = new Readiness(false, "no leader known");

        @Override
        public ClusterStatus status() {
            return new ClusterStatus("g", "a", "b", 3, 10, 9, List.of());
        }

        @Override
        public CompletableFuture<ClusterStatus> addPeer(String id, String raftAddress, String httpAddress) {
            return CompletableFuture.completedFuture(status());
        }

        @Override
        public CompletableFuture<ClusterStatus> removePeer(String id) {
            return CompletableFuture.failedFuture(new Replica.Unavailable("no quorum"));
        }

        @Override
        public CompletableFuture<ClusterStatus> transferLeader(String id) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<Long> snapshot() {
            return CompletableFuture.completedFuture(42L);
        }

        @Override
        public boolean healthy() {
            return false;
        }

        @Override
        public Readiness readiness() {
            return readiness;
        }
    }

    @Test
    void notReadyAndUnavailableAre503AndSlowOperationsTimeOut() {
        FakeAdmin admin = new FakeAdmin();
        try (Fixture api = new Fixture(ApiConfig.defaults(0).withRequestTimeoutMs(300), admin)) {
            Fixture.Reply ready = api.get("/readyz");
            assertEquals(503, ready.code());
            assertTrue(ready.body().contains("no leader known"), ready.body());
            assertEquals(503, api.get("/healthz").code());
            admin.readiness = new Admin.Readiness(true, "");
            assertEquals(200, api.get("/readyz").code());
            Fixture.Reply added = api.call("POST", "/admin/cluster/peers", "application/json",
                    "{\"id\":\"n2\",\"raftAddress\":\"r\",\"httpAddress\":\"h\"}");
            assertEquals(200, added.code());
            assertEquals("g", added.json().path("groupId").asText());
            Fixture.Reply removed = api.call("DELETE", "/admin/cluster/peers/n2", null, null);
            assertEquals(503, removed.code());
            assertEquals("ServiceUnavailable", removed.reason());
            Fixture.Reply slow = api.call("POST", "/admin/cluster/leader", "application/json", "{\"id\":\"b\"}");
            assertEquals(504, slow.code());
            assertEquals("Timeout", slow.reason());
            assertEquals(42, api.call("POST", "/admin/cluster/snapshot", null, null).json().path("index").asLong());
        }
    }

    @Test
    void badSettingsNameTheSettingAndTheFix() {
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApiConfig.defaults(0).withBodyBytesMax(10));
        assertTrue(bad.getMessage().contains("http.bodyBytesMax=10"), bad.getMessage());
        assertTrue(bad.getMessage().contains("use 1024.."), bad.getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApiConfig.defaults(70000)).getMessage().contains("http.port"));
        assertEquals(4096, ApiConfig.from(java.util.Map.of("http.bodyBytesMax", "4096")).bodyBytesMax());
        assertEquals(500, ApiConfig.from(java.util.Map.of()).listLimitMax());
        IllegalArgumentException notANumber = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApiConfig.from(java.util.Map.of("http.listLimitMax", "lots")));
        assertTrue(notANumber.getMessage().contains("http.listLimitMax=lots"), notANumber.getMessage());
    }
}
