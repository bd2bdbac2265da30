package dev.ipam.jepsen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The workload's view of the API (API.md), each call turned into a Jepsen outcome. The rule for
 * writes: an answer the server gave that means "not done" (4xx but 409, 507) is {@code fail}; a
 * refused connection is {@code fail} (the request never left); anything else that is not a success
 * (timeout, reset, 5xx, 409 on a fresh name) is {@code info}, because the write may have been
 * committed. Reads that do not succeed are {@code fail}: they changed nothing.
 */
public final class IpamHttp {
    public static final String API = "/apis/ipam.miloapis.com/v1alpha1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIST_LIMIT = 10_000;
    /** Membership changes wait for a new node to catch up; they get this long per request. */
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** The result of one call, ready for {@link History#complete}. */
    public record Outcome(Op.Type type, OpValue value, String error) {
    }

    private final HttpClient http;
    private final String project;
    private final Duration requestTimeout;
    private final String bearerToken;

    public IpamHttp(String project, Duration connectTimeout, Duration requestTimeout) {
        this(project, connectTimeout, requestTimeout, null);
    }

    /** @param bearerToken sent as {@code Authorization: Bearer} on every request when the server has auth on; null for none */
    public IpamHttp(String project, Duration connectTimeout, Duration requestTimeout, String bearerToken) {
        this.project = project;
        this.requestTimeout = requestTimeout;
        this.bearerToken = bearerToken;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    static String controlPlane(String project) {
        return "/apis/resourcemanager.miloapis.com/v1alpha1/projects/" + project + "/control-plane";
    }

    private String claims(String httpAddress) {
        return "http://" + httpAddress + controlPlane(project) + API + "/namespaces/default/ipclaims";
    }

    public Outcome claim(String httpAddress, OpValue.Claim claim) {
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "ipam.miloapis.com/v1alpha1");
        body.put("kind", "IPClaim");
        body.putObject("metadata").put("name", claim.name()).put("namespace", "default");
        ObjectNode spec = body.putObject("spec");
        spec.put("ipFamily", "IPv4");
        spec.put("prefixLength", claim.prefixLength());
        spec.putObject("poolRef").put("name", claim.pool());
        Response response = send(HttpRequest.newBuilder(URI.create(claims(httpAddress)))
                .header("Content-Type", "application/json").header("X-Request-Id", "claim-" + claim.name())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (response.failure() != null) {
            return writeFailure(response, claim);
        }
        int status = response.status();
        if (status == 200 || status == 201) {
            String cidr = response.json().path("status").path("allocatedCIDR").asText("");
            if (cidr.isEmpty()) {
                return new Outcome(Op.Type.INFO, claim, "created without status.allocatedCIDR");
            }
            try {
                return new Outcome(Op.Type.OK, new OpValue.Claim(claim.pool(), claim.name(), claim.prefixLength(),
                        Cidr.parse(cidr)), null);
            } catch (IllegalArgumentException e) {
                return new Outcome(Op.Type.INFO, claim, "unparsable allocatedCIDR " + cidr);
            }
        }
        return statusOutcome(status, response, claim);
    }

    public Outcome release(String httpAddress, OpValue.Release release) {
        Response response = send(HttpRequest.newBuilder(URI.create(claims(httpAddress) + "/" + release.name()))
                .header("X-Request-Id", "release-" + release.name()).DELETE());
        if (response.failure() != null) {
            return writeFailure(response, release);
        }
        int status = response.status();
        if (status == 200 || status == 202) {
            return new Outcome(Op.Type.OK, new OpValue.Release(release.pool(), release.name(), true), null);
        }
        if (status == 404) {
            return new Outcome(Op.Type.OK, new OpValue.Release(release.pool(), release.name(), false), null);
        }
        return statusOutcome(status, response, release);
    }

    /** Lists the pool's claims; {@code local} asks for resourceVersion=0 (this node's state, maybe stale). */
    public Outcome read(String httpAddress, String pool, boolean local) {
        String url = claims(httpAddress) + "?limit=" + LIST_LIMIT + "&fieldSelector="
                + URLEncoder.encode("spec.poolRef.name=" + pool, StandardCharsets.UTF_8) + (local ? "&resourceVersion=0" : "");
        Response response = send(HttpRequest.newBuilder(URI.create(url)).GET());
        OpValue.Read unknown = new OpValue.Read(pool, null);
        if (response.failure() != null) {
            return new Outcome(Op.Type.FAIL, unknown, response.failure());
        }
        if (response.status() != 200) {
            return new Outcome(Op.Type.FAIL, unknown, "http " + response.status() + " " + reason(response));
        }
        JsonNode list = response.json();
        if (!list.path("metadata").path("continue").asText("").isEmpty()) {
            return new Outcome(Op.Type.FAIL, unknown, "list truncated at limit=" + LIST_LIMIT);
        }
        SortedMap<String, Cidr> seen = new TreeMap<>();
        for (JsonNode item : list.path("items")) {
            if (!pool.equals(item.path("spec").path("poolRef").path("name").asText())) {
                return new Outcome(Op.Type.FAIL, unknown, "fieldSelector ignored: item of pool "
                        + item.path("spec").path("poolRef").path("name").asText());
            }
            String cidr = item.path("status").path("allocatedCIDR").asText("");
            if (!cidr.isEmpty()) {
                seen.put(item.path("metadata").path("name").asText(), Cidr.parse(cidr));
            }
        }
        return new Outcome(Op.Type.OK, new OpValue.Read(pool, seen), null);
    }

    /** Creates the project (cluster-admin path); true when it exists afterwards. */
    public boolean createProject(String httpAddress) {
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "resourcemanager.miloapis.com/v1alpha1");
        body.put("kind", "Project");
        body.putObject("metadata").put("name", project);
        Response response = send(HttpRequest.newBuilder(URI.create("http://" + httpAddress
                        + "/apis/resourcemanager.miloapis.com/v1alpha1/projects"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        return response.failure() == null && (response.status() / 100 == 2 || response.status() == 409);
    }

    /** Creates a root IPv4 pool; true when it exists afterwards. */
    public boolean createPool(String httpAddress, String pool, Cidr cidr) {
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "ipam.miloapis.com/v1alpha1");
        body.put("kind", "IPPool");
        body.putObject("metadata").put("name", pool);
        ObjectNode spec = body.putObject("spec");
        spec.put("cidr", cidr.toString());
        spec.put("ipFamily", "IPv4");
        Response response = send(HttpRequest.newBuilder(URI.create("http://" + httpAddress + controlPlane(project) + API
                        + "/ippools")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        return response.failure() == null && (response.status() / 100 == 2 || response.status() == 409);
    }

    /** GET /admin/cluster: the group as that node sees it, or null when it does not answer. */
    public JsonNode cluster(String httpAddress) {
        Response response = send(HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/admin/cluster")).GET());
        return response.failure() == null && response.status() == 200 ? response.json() : null;
    }

    /**
     * POST /admin/cluster/peers. A membership change waits for the new node to catch up, so it gets
     * {@link #ADMIN_TIMEOUT} rather than the request timeout.
     *
     * @return null when the node is a member afterwards (2xx, or 409: already one), else what went wrong
     */
    public String addPeer(String httpAddress, String id, String raftAddress, String peerHttpAddress) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("raftAddress", raftAddress);
        body.put("httpAddress", peerHttpAddress);
        Response response = send(HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/admin/cluster/peers"))
                .header("Content-Type", "application/json").timeout(ADMIN_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        return adminFailure(response);
    }

    /** DELETE /admin/cluster/peers/{id}; null when the node is not a member afterwards (2xx or 404). */
    public String removePeer(String httpAddress, String id) {
        Response response = send(HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/admin/cluster/peers/" + id))
                .timeout(ADMIN_TIMEOUT).DELETE());
        return response.failure() == null && response.status() == 404 ? null : adminFailure(response);
    }

    private static String adminFailure(Response response) {
        if (response.failure() != null) {
            return response.failure();
        }
        if (response.status() / 100 == 2 || response.status() == 409) {
            return null;
        }
        JsonNode json = response.json();
        return "http " + response.status() + " " + (json == null ? "" : json.path("message").asText(""));
    }

    /** GET /readyz answers 200. */
    public boolean ready(String httpAddress) {
        Response response = send(HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/readyz")).GET());
        return response.failure() == null && response.status() == 200;
    }

    private Outcome writeFailure(Response response, OpValue value) {
        return new Outcome(response.definitelyNotSent() ? Op.Type.FAIL : Op.Type.INFO, value, response.failure());
    }

    private static Outcome statusOutcome(int status, Response response, OpValue value) {
        String error = "http " + status + " " + reason(response);
        if (status == 507) {
            return new Outcome(Op.Type.FAIL, value, "exhausted");
        }
        if (status >= 400 && status < 500 && status != 409 && status != 408) {
            return new Outcome(Op.Type.FAIL, value, error);
        }
        return new Outcome(Op.Type.INFO, value, error);
    }

    private static String reason(Response response) {
        JsonNode json = response.json();
        return json == null ? "" : json.path("reason").asText("");
    }

    /** An HTTP exchange: a status and JSON body, or a transport failure. */
    private record Response(int status, JsonNode json, String failure, boolean definitelyNotSent) {
    }

    private Response send(HttpRequest.Builder request) {
        try {
            if (bearerToken != null) {
                request.header("Authorization", "Bearer " + bearerToken);
            }
            HttpRequest built = request.build();
            if (built.timeout().isEmpty()) {
                built = request.timeout(requestTimeout).build();
            }
            HttpResponse<String> response = http.send(built,
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (!response.body().isEmpty()) {
                try {
                    json = JSON.readTree(response.body());
                } catch (IOException notJson) {
                    json = null;
                }
            }
            return new Response(response.statusCode(), json == null ? JSON.nullNode() : json, null, false);
        } catch (HttpConnectTimeoutException e) {
            return new Response(0, null, "connect timeout", true);
        } catch (HttpTimeoutException e) {
            return new Response(0, null, "timeout", false);
        } catch (ConnectException e) {
            return new Response(0, null, "connection refused", true);
        } catch (IOException e) {
            return new Response(0, null, "io: " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, null, "interrupted", false);
        }
    }
}
