package dev.ipam.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.model.IPAllocation;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.Project;
import java.time.Duration;
import java.util.List;

/**
 * The entry point of the IPAM client library: plain Java, no framework, thread-safe.
 *
 * <pre>{@code
 * IpamClient ipam = new IpamClient(ClientConfig.builder()
 *         .endpoint("http://10.0.0.1:8080").endpoint("http://10.0.0.2:8080")
 *         .project("demo").token(System.getenv("IPAM_TOKEN")).build());
 * String cidr = ipam.claim(ClaimRequest.of("web-1", IPClaimSpec.fromPool("web", "IPv4", 28)));
 * ...
 * ipam.release("web-1");
 * }</pre>
 *
 * <p>Every call goes to the node that answered last and fails over to the next on a connection
 * failure, a timeout or a 503, within {@link ClientConfig#operationTimeoutMs()}. Errors are
 * {@link IpamException}s whose {@link IpamException#reason()} says what happened.
 */
public final class IpamClient implements AutoCloseable {
    private static final String PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
    private static final String GROUP_PATH = "/apis/ipam.miloapis.com/v1alpha1";

    private final ClientConfig config;
    private final Transport transport;

    /** A client for these settings. */
    public IpamClient(ClientConfig config) {
        this(config, new Transport(config));
    }

    private IpamClient(ClientConfig config, Transport transport) {
        this.config = config;
        this.transport = transport;
    }

    /** A client with default timeouts and limits. */
    public static IpamClient connect(List<String> endpoints, String project, String token) {
        return new IpamClient(ClientConfig.builder().endpoints(endpoints).project(project).token(token).build());
    }

    /** The settings this client was built with. */
    public ClientConfig config() {
        return config;
    }

    /** The same nodes and credentials, addressing another project. */
    public IpamClient withProject(String project) {
        ClientConfig other = config.withProject(project);
        return new IpamClient(other, transport);
    }

    /**
     * Claims a block and returns it ({@code 10.0.3.0/24}); blocks until the claim is Bound. Retries
     * (failover, timeouts) reuse the request's name and request id, so the claim is made at most once;
     * if an earlier attempt landed, its claim is returned. With {@link ClaimRequest#dryRun()} returns
     * the block the claim would get and stores nothing.
     *
     * @throws IpamException EXHAUSTED when the pool has no room, ALREADY_EXISTS when another claim
     *                       holds the name, BAD_REQUEST/INVALID for a bad spec, and so on
     */
    public String claim(ClaimRequest request) {
        return claimObject(request).cidr();
    }

    /** Like {@link #claim}, returning the whole Bound claim. */
    public IPClaim claimObject(ClaimRequest request) {
        IPClaim wanted = IPClaim.of(request.namespace(), request.name(), request.spec());
        if (request.labels() != null) {
            wanted = wanted.withLabels(request.labels());
        }
        ResourceClient<IPClaim> claims = claims(request.namespace());
        IPClaim claim = claims.create(wanted, request.dryRun(), request.requestId());
        if (request.dryRun() || claim.isBound()) {
            return claim;
        }
        if (claim.status() != null && "Error".equals(claim.status().phase())) {
            throw new IpamException(IpamException.Reason.INTERNAL, "claim " + request.name() + " is in phase Error", null);
        }
        return claims.waitFor(request.name(), IPClaim::isBound, Duration.ofMillis(config.operationTimeoutMs()));
    }

    /** Releases the claim of this name in the default namespace; see {@link #release(String, String)}. */
    public void release(String name) {
        release(ClaimRequest.DEFAULT_NAMESPACE, name);
    }

    /**
     * Deletes a claim: with reclaim policy Delete its block returns to the pool. NOT_FOUND if no
     * such claim exists (a retry that finds it already gone succeeds).
     */
    public void release(String namespace, String name) {
        claims(namespace).delete(name);
    }

    /** The pools of the client's project. */
    public ResourceClient<IPPool> pools() {
        return resources(Kind.IPPOOL, null, IPPool.class);
    }

    /** The claims of the default namespace. */
    public ResourceClient<IPClaim> claims() {
        return claims(ClaimRequest.DEFAULT_NAMESPACE);
    }

    /** The claims of a namespace (null: every namespace, for list and watch). */
    public ResourceClient<IPClaim> claims(String namespace) {
        return resources(Kind.IPCLAIM, namespace, IPClaim.class);
    }

    /** The allocations of a namespace (null: every namespace, for list and watch). */
    public ResourceClient<IPAllocation> allocations(String namespace) {
        return resources(Kind.IPALLOCATION, namespace, IPAllocation.class);
    }

    /** Every project (cluster administrators). */
    public ResourceClient<Project> projects() {
        return resources(Kind.PROJECT, null, Project.class);
    }

    /** The admin endpoints: cluster status, membership, leadership, snapshots, health. */
    public ClusterAdmin cluster() {
        return new ClusterAdmin(transport, config);
    }

    /**
     * The verbs on any kind with any representation: a record type, or {@link JsonNode} to keep
     * every field. For namespaced kinds, a null namespace means every namespace (list and watch only).
     */
    public <T> ResourceClient<T> resources(Kind kind, String namespace, Class<T> type) {
        return new ResourceClient<>(transport, config, kind, collectionPath(kind, namespace), namespace, type);
    }

    /**
     * A page of the project's audit trail ({@code GET .../control-plane/audit}; project admins), oldest
     * first; {@code continueToken} from the previous page's {@code metadata.continue}, or null.
     */
    public JsonNode audit(int limit, String continueToken) {
        java.util.Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("limit", String.valueOf(limit));
        if (continueToken != null && !continueToken.isEmpty()) {
            query.put("continue", continueToken);
        }
        return getJson(controlPlanePath(requireProject()) + "/audit", query);
    }

    /** Who held the blocks containing {@code ip}, and when ({@code GET .../control-plane/addresses/IP/history}). */
    public JsonNode addressHistory(String ip) {
        return getJson(controlPlanePath(requireProject()) + "/addresses/" + Transport.segment(ip) + "/history",
                java.util.Map.of());
    }

    private String requireProject() {
        if (config.project() == null || config.project().isEmpty()) {
            throw new IllegalStateException("no project: set ClientConfig.project (ipamctl: --project NAME)");
        }
        return config.project();
    }

    private JsonNode getJson(String path, java.util.Map<String, String> query) {
        Transport.Answer answer = transport.send(Transport.Call.get(path, query));
        if (!answer.ok()) {
            throw answer.error();
        }
        return Codec.decode(answer.body(), JsonNode.class);
    }

    /** The path of a project's control plane, below which the Kubernetes dialect is spoken. */
    public static String controlPlanePath(String project) {
        return PROJECTS + "/" + Transport.segment(project) + "/control-plane";
    }

    private String collectionPath(Kind kind, String namespace) {
        if (kind == Kind.PROJECT) {
            return PROJECTS;
        }
        if (config.project() == null || config.project().isEmpty()) {
            throw new IllegalStateException("no project: set ClientConfig.project (ipamctl: --project NAME)");
        }
        String base = controlPlanePath(config.project()) + GROUP_PATH;
        if (kind.namespaced() && namespace != null) {
            return base + "/namespaces/" + Transport.segment(namespace) + "/" + kind.plural();
        }
        return base + "/" + kind.plural();
    }

    /** Nothing to release today (the JDK HTTP client has no close before Java 21); kept for try-with-resources. */
    @Override
    public void close() {
        // The JDK 17 HttpClient frees its resources when unreachable.
    }
}
