package dev.ipam.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads are linearizable on every node (API.md, Consistency): whatever one node acknowledged, every
 * other node shows at once, discovery included. A local read on a follower once answered 404 for the
 * control plane of a project created a moment before through another node.
 */
class ReadYourWritesAcrossNodesTest {
    static final String PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
    static final String IPAM = "/apis/ipam.miloapis.com/v1alpha1";

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return LocalCluster.send(http, method, url, body);
    }

    @Test
    void whatOneNodeAcknowledgedEveryNodeShowsAtOnce() throws Exception {
        try (LocalCluster cluster = new LocalCluster(temp, 3).start()) {
            for (int writer = 0; writer < 3; writer++) {
                String project = "p" + writer;
                HttpResponse<String> created = send("POST", cluster.endpoint(writer) + PROJECTS,
                        "{\"apiVersion\":\"resourcemanager.miloapis.com/v1alpha1\",\"kind\":\"Project\",\"metadata\":{\"name\":\"" + project + "\"}}");
                assertEquals(201, created.statusCode(), created.body());
                for (int reader = 0; reader < 3; reader++) {
                    String plane = cluster.endpoint(reader) + PROJECTS + "/" + project + "/control-plane";
                    HttpResponse<String> groups = send("GET", plane + "/apis", null);
                    assertEquals(200, groups.statusCode(), "discovery on " + cluster.id(reader) + " after a create on "
                            + cluster.id(writer) + ": " + groups.body());
                    assertTrue(groups.body().contains("ipam.miloapis.com"), groups.body());
                    assertEquals(200, send("GET", plane + "/api", null).statusCode(), "core discovery on " + cluster.id(reader));
                }

                String pools = cluster.endpoint(writer) + PROJECTS + "/" + project + "/control-plane" + IPAM + "/ippools";
                HttpResponse<String> pool = send("POST", pools, "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPPool\","
                        + "\"metadata\":{\"name\":\"pool\"},\"spec\":{\"cidr\":\"10.9.0.0/24\",\"ipFamily\":\"IPv4\"}}");
                assertEquals(201, pool.statusCode(), pool.body());
                for (int reader = 0; reader < 3; reader++) {
                    String claims = cluster.endpoint(reader) + PROJECTS + "/" + project + "/control-plane" + IPAM
                            + "/namespaces/default/ipclaims";
                    String name = "from-" + cluster.id(reader);
                    HttpResponse<String> claim = send("POST", claims, "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPClaim\","
                            + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"ipFamily\":\"IPv4\",\"prefixLength\":30,\"poolRef\":{\"name\":\"pool\"}}}");
                    assertEquals(201, claim.statusCode(), claim.body());
                    for (int other = 0; other < 3; other++) {
                        String url = cluster.endpoint(other) + PROJECTS + "/" + project + "/control-plane" + IPAM
                                + "/namespaces/default/ipclaims/" + name;
                        HttpResponse<String> got = send("GET", url, null);
                        assertEquals(200, got.statusCode(), "claim made on " + cluster.id(reader) + " read on " + cluster.id(other));
                        assertTrue(got.body().contains("\"Bound\""), got.body());
                    }
                }
            }
        }
    }
}
