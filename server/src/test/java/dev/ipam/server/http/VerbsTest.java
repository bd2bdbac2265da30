package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static dev.ipam.server.http.Fixture.IPAM;
import static dev.ipam.server.http.Fixture.POOLS;
import static dev.ipam.server.http.Fixture.claim;
import static dev.ipam.server.http.Fixture.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every verb over real HTTP against the real core. */
class VerbsTest {
    Fixture api;

    @BeforeEach
    void start() {
        api = new Fixture(ApiConfig.defaults(0).withListLimitMax(3));
        assertEquals(201, api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4")).code());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void createReturnsTheBoundClaimAndItsAllocationExists() {
        Fixture.Reply created = api.post(CLAIMS, claim("c1", "web", 28));
        assertEquals(201, created.code(), created.toString());
        JsonNode claim = created.json();
        assertEquals("Bound", claim.path("status").path("phase").asText());
        assertEquals("10.0.0.0/28", claim.path("status").path("allocatedCIDR").asText());
        assertEquals("default", claim.path("metadata").path("namespace").asText());
        String allocation = claim.path("status").path("boundAllocationRef").path("name").asText();
        Fixture.Reply got = api.get(IPAM + "/namespaces/default/ipallocations/" + allocation);
        assertEquals(200, got.code(), got.toString());
        assertEquals("10.0.0.0/28", got.json().path("status").path("allocatedCIDR").asText());
        Fixture.Reply again = api.get(CLAIMS + "/c1");
        assertEquals(claim, again.json());
    }

    @Test
    void getAnswersJsonYamlTableAndMetadata() {
        api.post(CLAIMS, claim("c1", "web", 28));
        Fixture.Reply yaml = api.get(CLAIMS + "/c1", "application/yaml");
        assertEquals(200, yaml.code());
        assertTrue(yaml.contentType().startsWith("application/yaml"), yaml.contentType());
        assertTrue(yaml.body().contains("allocatedCIDR: 10.0.0.0/28"), yaml.body());
        Fixture.Reply table = api.get(CLAIMS + "/c1", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        assertEquals("Table", table.json().path("kind").asText());
        List<String> columns = new ArrayList<>();
        table.json().path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        assertEquals(List.of("Name", "Phase", "CIDR", "Pool", "Family", "Length", "Age", "Reclaim", "Allocation"), columns);
        JsonNode cells = table.json().path("rows").get(0).path("cells");
        assertEquals("c1", cells.get(0).asText());
        assertEquals("Bound", cells.get(1).asText());
        assertEquals("10.0.0.0/28", cells.get(2).asText());
        assertEquals(28, cells.get(5).asInt());
        assertEquals("PartialObjectMetadata", table.json().path("rows").get(0).path("object").path("kind").asText());
        Fixture.Reply poolTable = api.get(POOLS, "application/json;as=Table;v=v1;g=meta.k8s.io");
        List<String> poolColumns = new ArrayList<>();
        poolTable.json().path("columnDefinitions").forEach(c -> {
            if (c.path("priority").asInt() == 0) {
                poolColumns.add(c.path("name").asText());
            }
        });
        assertEquals(List.of("Name", "CIDR", "Phase", "Family", "Largest Free", "Util%", "Age"), poolColumns);
        Fixture.Reply partial = api.get(CLAIMS + "/c1", "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
        assertEquals("PartialObjectMetadata", partial.json().path("kind").asText());
        assertTrue(partial.json().path("spec").isMissingNode());
    }

    @Test
    void listPagesWithLimitAndContinueAndSelects() {
        for (int i = 0; i < 7; i++) {
            assertEquals(201, api.post(CLAIMS, claim("c" + i, "web", 30)).code());
        }
        List<String> names = new ArrayList<>();
        String next = "";
        int pages = 0;
        do {
            Fixture.Reply page = api.get(CLAIMS + "?limit=100" + (next.isEmpty() ? "" : "&continue=" + next));
            assertEquals(200, page.code(), page.toString());
            assertEquals("IPClaimList", page.json().path("kind").asText());
            assertTrue(page.json().path("items").size() <= 3, "listLimitMax clamps the page");
            page.json().path("items").forEach(item -> names.add(item.path("metadata").path("name").asText()));
            next = page.json().path("metadata").path("continue").asText("");
            pages++;
        } while (!next.isEmpty() && pages < 10);
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6"), names);
        assertEquals(3, pages);

        JsonNode selected = api.get(CLAIMS + "?labelSelector=app%20in%20(c1,c3)").json();
        assertEquals(2, selected.path("items").size());
        assertEquals(6, count(CLAIMS + "?labelSelector=app!=c1&limit=10"));
        assertEquals(7, count(CLAIMS + "?labelSelector=app"));
        assertEquals(0, count(CLAIMS + "?labelSelector=!app"));
        assertEquals(1, count(CLAIMS + "?labelSelector=app==c4"));
        assertEquals(6, count(CLAIMS + "?labelSelector=app%20notin%20(c4)"));
        assertEquals(7, count(CLAIMS + "?fieldSelector=spec.poolRef.name=web"));
        assertEquals(7, count(CLAIMS + "?fieldSelector=status.phase=Bound,spec.ipFamily=IPv4"));
        assertEquals(0, count(CLAIMS + "?fieldSelector=status.phase!=Bound"));
        assertEquals(1, count(CLAIMS + "?fieldSelector=metadata.name=c5"));
        assertEquals(7, count(IPAM + "/ipclaims"), "all namespaces");
        assertEquals(7, count(IPAM + "/ipallocations?fieldSelector=spec.poolRef.name=web"));
        assertEquals(0, count(IPAM + "/namespaces/other/ipclaims"));
    }

    /**
     * resourceVersionMatch on a list: NotOlderThan is any state at least that new; Exact is served
     * only at the current version (a node keeps no history, so an older one is gone: 410); a version
     * the cluster never reached is too large (504), as Kubernetes answers.
     */
    @Test
    void listsHonourResourceVersionMatch() {
        assertEquals(201, api.post(CLAIMS, claim("c1", "web", 30)).code());
        long at = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asLong();
        Fixture.Reply exact = api.get(CLAIMS + "?resourceVersion=" + at + "&resourceVersionMatch=Exact");
        assertEquals(200, exact.code(), exact.toString());
        assertEquals(at, exact.json().path("metadata").path("resourceVersion").asLong());
        Fixture.Reply notOlder = api.get(CLAIMS + "?resourceVersion=" + (at - 1) + "&resourceVersionMatch=NotOlderThan");
        assertEquals(200, notOlder.code(), notOlder.toString());
        assertEquals(1, notOlder.json().path("items").size());

        assertEquals(201, api.post(CLAIMS, claim("c2", "web", 30)).code());
        Fixture.Reply gone = api.get(CLAIMS + "?resourceVersion=" + at + "&resourceVersionMatch=Exact");
        assertEquals(410, gone.code(), gone.toString());
        assertEquals("Expired", gone.json().path("reason").asText());
        Fixture.Reply tooLarge = api.get(CLAIMS + "?resourceVersion=" + (at + 1_000) + "&resourceVersionMatch=NotOlderThan");
        assertEquals(504, tooLarge.code(), tooLarge.toString());
        assertEquals("ResourceVersionTooLarge", tooLarge.json().path("details").path("causes").get(0).path("reason").asText());

        // A get takes the same versions: at least as new as N; never reached is 504; not a number is 400.
        assertEquals(200, api.get(CLAIMS + "/c1?resourceVersion=" + at).code());
        assertEquals(504, api.get(CLAIMS + "/c1?resourceVersion=" + (at + 1_000)).code());
        Fixture.Reply garbled = api.get(CLAIMS + "/c1?resourceVersion=latest");
        assertEquals(400, garbled.code(), garbled.toString());
        assertEquals("resourceVersion", garbled.json().path("details").path("causes").get(0).path("field").asText());
    }

    /** Counts the items of a list, following continue tokens. */
    private int count(String path) {
        int items = 0;
        String next = "";
        int pages = 0;
        do {
            String separator = path.contains("?") ? "&" : "?";
            Fixture.Reply page = api.get(path + (next.isEmpty() ? "" : separator + "continue=" + next));
            assertEquals(200, page.code(), page.toString());
            items += page.json().path("items").size();
            next = page.json().path("metadata").path("continue").asText("");
        } while (!next.isEmpty() && ++pages < 20);
        return items;
    }

    @Test
    void pagesOfBigObjectsAreShorter() {
        try (Fixture big = new Fixture()) {
            big.post(POOLS, pool("web", "10.0.0.0/16", "IPv4"));
            String padding = "x".repeat(200_000);
            for (int i = 0; i < 45; i++) {
                String body = claim(String.format("c%02d", i), "web", 30).replace("\"labels\":{",
                        "\"annotations\":{\"pad\":\"" + padding + "\"},\"labels\":{");
                assertEquals(201, big.post(CLAIMS, body).code());
            }
            JsonNode first = big.get(CLAIMS + "?limit=500").json();
            int firstPage = first.path("items").size();
            assertTrue(firstPage < 45 && firstPage > 10, "a page stays within Resources.PAGE_BYTES_MAX: " + firstPage);
            String next = first.path("metadata").path("continue").asText();
            JsonNode second = big.get(CLAIMS + "?limit=500&continue=" + next).json();
            assertEquals(45, firstPage + second.path("items").size());
            assertEquals("c" + firstPage, second.path("items").get(0).path("metadata").path("name").asText());
        }
    }

    @Test
    void updateChecksTheResourceVersion() {
        JsonNode claim = api.post(CLAIMS, claim("c1", "web", 28)).json();
        String rv = claim.path("metadata").path("resourceVersion").asText();
        ((com.fasterxml.jackson.databind.node.ObjectNode) claim.path("metadata").path("labels")).put("team", "blue");
        Fixture.Reply updated = api.call("PUT", CLAIMS + "/c1", "application/json", claim.toString());
        assertEquals(200, updated.code(), updated.toString());
        assertEquals("blue", updated.json().path("metadata").path("labels").path("team").asText());
        assertNotEquals(rv, updated.json().path("metadata").path("resourceVersion").asText());
        String before = api.digest();
        Fixture.Reply stale = api.call("PUT", CLAIMS + "/c1", "application/json", claim.toString());
        assertEquals(409, stale.code(), stale.toString());
        assertEquals("Conflict", stale.reason());
        assertEquals(before, api.digest());
    }

    @Test
    void patchesMergeJsonAndApply() {
        api.post(CLAIMS, claim("c1", "web", 28));
        Fixture.Reply merged = api.call("PATCH", CLAIMS + "/c1", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"app\":null,\"team\":\"red\"}}}");
        assertEquals(200, merged.code(), merged.toString());
        assertEquals("{\"team\":\"red\"}", merged.json().path("metadata").path("labels").toString());
        Fixture.Reply strategic = api.call("PATCH", CLAIMS + "/c1", "application/strategic-merge-patch+json",
                "{\"metadata\":{\"annotations\":{\"note\":\"x\"}}}");
        assertEquals(200, strategic.code(), strategic.toString());
        assertEquals("x", strategic.json().path("metadata").path("annotations").path("note").asText());
        Fixture.Reply jsonPatch = api.call("PATCH", CLAIMS + "/c1", "application/json-patch+json",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/zone\",\"value\":\"z1\"}]");
        assertEquals(200, jsonPatch.code(), jsonPatch.toString());
        assertEquals("z1", jsonPatch.json().path("metadata").path("labels").path("zone").asText());

        String apply = """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata:
                  name: c2
                  labels: {app: applied}
                spec:
                  ipFamily: IPv4
                  prefixLength: 30
                  poolRef: {name: web}
                """;
        Fixture.Reply created = api.call("PATCH", CLAIMS + "/c2?fieldManager=test", "application/apply-patch+yaml", apply);
        assertEquals(201, created.code(), created.toString());
        assertEquals("Bound", created.json().path("status").path("phase").asText());
        Fixture.Reply reapplied = api.call("PATCH", CLAIMS + "/c2?fieldManager=test", "application/apply-patch+yaml",
                apply.replace("app: applied", "app: again"));
        assertEquals(200, reapplied.code(), reapplied.toString());
        assertEquals("again", reapplied.json().path("metadata").path("labels").path("app").asText());
        assertEquals(created.json().path("status").path("allocatedCIDR"), reapplied.json().path("status").path("allocatedCIDR"));
    }

    /**
     * Server-side apply removes the labels and annotations a manager applied before and leaves out
     * now (unless another manager applies them too), and keeps what others set: a label dropped from
     * a GitOps repository is gone from the object, as in Kubernetes.
     */
    @Test
    void serverSideApplyRemovesWhatAManagerStopsApplying() {
        String config = """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata:
                  name: gitops
                  %s
                spec:
                  ipFamily: IPv4
                  prefixLength: 30
                  poolRef: {name: web}
                """;
        String path = CLAIMS + "/gitops?fieldManager=";
        Fixture.Reply created = api.call("PATCH", path + "flux", "application/apply-patch+yaml",
                config.formatted("labels: {tier: web, zone: z1}\n  annotations: {note: first}"));
        assertEquals(201, created.code(), created.toString());
        assertEquals(200, api.call("PATCH", path + "ops", "application/apply-patch+yaml",
                config.formatted("labels: {owner: netops, zone: z1}")).code());
        assertEquals(200, api.call("PATCH", CLAIMS + "/gitops", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"by-hand\":\"yes\"}}}").code());

        Fixture.Reply dropped = api.call("PATCH", path + "flux", "application/apply-patch+yaml",
                config.formatted("labels: {tier: web}"));
        assertEquals(200, dropped.code(), dropped.toString());
        JsonNode labels = dropped.json().path("metadata").path("labels");
        assertEquals("web", labels.path("tier").asText());
        assertEquals("z1", labels.path("zone").asText(), "ops applies zone too: " + labels);
        assertEquals("netops", labels.path("owner").asText());
        assertEquals("yes", labels.path("by-hand").asText(), "set by a merge patch, not by flux: " + labels);
        assertTrue(dropped.json().path("metadata").path("annotations").path("note").isMissingNode(),
                "flux dropped its annotation: " + dropped.body());

        Fixture.Reply opsLeaves = api.call("PATCH", path + "ops", "application/apply-patch+yaml", config.formatted(""));
        assertEquals(200, opsLeaves.code(), opsLeaves.toString());
        JsonNode left = opsLeaves.json().path("metadata").path("labels");
        assertTrue(left.path("zone").isMissingNode() && left.path("owner").isMissingNode(), left.toString());
        assertEquals("web", left.path("tier").asText());

        // The same configuration again changes nothing, not even the resourceVersion.
        String version = opsLeaves.json().path("metadata").path("resourceVersion").asText();
        Fixture.Reply again = api.call("PATCH", path + "ops", "application/apply-patch+yaml", config.formatted(""));
        assertEquals(version, again.json().path("metadata").path("resourceVersion").asText());

        Fixture.Reply anonymous = api.call("PATCH", CLAIMS + "/gitops", "application/apply-patch+yaml",
                config.formatted(""));
        assertEquals(422, anonymous.code(), anonymous.toString());
        assertEquals("fieldManager", anonymous.json().path("details").path("causes").get(0).path("field").asText());
    }

    @Test
    void yamlBodiesAreAccepted() {
        String yaml = """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata: {name: y1}
                spec: {ipFamily: IPv4, prefixLength: 29, poolRef: {name: web}}
                """;
        Fixture.Reply created = api.send(HttpRequest.newBuilder(api.uri(CLAIMS)).header("Content-Type", "application/yaml")
                .header("Accept", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(yaml)));
        assertEquals(201, created.code(), created.toString());
        assertTrue(created.body().contains("phase: Bound"), created.body());
    }

    @Test
    void dryRunAnswersTheRealBlockAndStoresNothing() {
        String before = api.digest();
        Fixture.Reply dry = api.post(CLAIMS + "?dryRun=All", claim("c1", "web", 26));
        assertEquals(201, dry.code(), dry.toString());
        assertEquals("10.0.0.0/26", dry.json().path("status").path("allocatedCIDR").asText());
        assertEquals(before, api.digest());
        assertEquals(404, api.get(CLAIMS + "/c1").code());
        Fixture.Reply real = api.post(CLAIMS, claim("c1", "web", 26));
        assertEquals(dry.json().path("status").path("allocatedCIDR"), real.json().path("status").path("allocatedCIDR"));
        String afterCreate = api.digest();
        Fixture.Reply dryDelete = api.call("DELETE", CLAIMS + "/c1?dryRun=All", null, null);
        assertEquals(200, dryDelete.code(), dryDelete.toString());
        assertEquals(afterCreate, api.digest());
    }

    @Test
    void aRetriedRequestIdAllocatesOnce() {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(CLAIMS)).header("Content-Type", "application/json")
                .header("X-Request-Id", "retry-1").POST(HttpRequest.BodyPublishers.ofString(claim("c1", "web", 28)));
        Fixture.Reply first = api.send(request);
        Fixture.Reply second = api.send(request);
        assertEquals(201, first.code());
        assertEquals(first.body(), second.body(), "the retry answers the first result");
        assertEquals(1, api.get(IPAM + "/namespaces/default/ipallocations").json().path("items").size());
    }

    @Test
    void deleteAndDeleteCollection() {
        for (int i = 0; i < 4; i++) {
            api.post(CLAIMS, claim("c" + i, "web", 30));
        }
        Fixture.Reply deleted = api.call("DELETE", CLAIMS + "/c0", "application/json",
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}");
        assertEquals(200, deleted.code(), deleted.toString());
        assertEquals(404, api.get(CLAIMS + "/c0").code());
        Fixture.Reply collection = api.delete(CLAIMS + "?labelSelector=app%20in%20(c1,c2)");
        assertEquals(200, collection.code(), collection.toString());
        assertEquals(2, collection.json().path("items").size());
        JsonNode left = api.get(CLAIMS).json().path("items");
        assertEquals(1, left.size());
        assertEquals("c3", left.get(0).path("metadata").path("name").asText());
        assertEquals(1, api.get(IPAM + "/namespaces/default/ipallocations").json().path("items").size());
        assertEquals(200, api.delete(CLAIMS + "/c3").code());
        assertEquals(200, api.delete(POOLS + "/web").code());
        assertEquals(0, api.get(POOLS).json().path("items").size());
    }

    @Test
    void projectsAreCreatedListedAndDeletedByTheAdministrator() {
        String projects = Api.PROJECTS;
        Fixture.Reply created = api.post(projects, """
                {"apiVersion":"resourcemanager.miloapis.com/v1alpha1","kind":"Project","metadata":{"name":"p2"},
                 "spec":{"quota":{"claims":5}}}""");
        assertEquals(201, created.code(), created.toString());
        assertEquals(5, api.get(projects + "/p2").json().path("spec").path("quota").path("claims").asInt());
        List<String> names = new ArrayList<>();
        api.get(projects).json().path("items").forEach(p -> names.add(p.path("metadata").path("name").asText()));
        assertEquals(List.of("p1", "p2"), names);
        String p2 = projects + "/p2/control-plane" + Api.IPAM;
        assertEquals(201, api.post(p2 + "/ippools", pool("p2pool", "10.1.0.0/16", "IPv4")).code());
        String before = api.digest();
        Fixture.Reply inUse = api.delete(projects + "/p2");
        assertEquals(409, inUse.code(), inUse.toString());
        assertEquals(before, api.digest());
        assertEquals(200, api.delete(p2 + "/ippools/p2pool").code());
        assertEquals(200, api.delete(projects + "/p2").code());
        assertEquals(404, api.get(projects + "/p2").code());
        Fixture.Reply gone = api.get(projects + "/p2/control-plane" + Api.IPAM + "/ippools");
        assertEquals(404, gone.code());
        assertFalse(gone.json().path("message").asText().isEmpty());
    }
}
