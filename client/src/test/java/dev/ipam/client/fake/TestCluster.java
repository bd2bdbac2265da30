package dev.ipam.client.fake;

import dev.ipam.client.ClientConfig;
import dev.ipam.client.IpamClient;
import dev.ipam.client.IpamException;
import dev.ipam.client.ListOptions;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.Project;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Where contract tests run: the in-memory fake by default, or a real cluster when
 * {@code -Dipam.servers=http://127.0.0.1:8080,...} is given (with {@code -Dipam.token=...} for
 * an admin token). Each test class gets a fresh project with a unique name, removed at the end.
 */
public final class TestCluster implements AutoCloseable {
    /** System property naming real servers, comma-separated. */
    public static final String SERVERS_PROPERTY = "ipam.servers";
    /** System property with an admin bearer token for the real servers. */
    public static final String TOKEN_PROPERTY = "ipam.token";

    private final FakeIpam fake;
    private final List<String> endpoints;
    private final String project;
    private final String token;

    private TestCluster(FakeIpam fake, List<String> endpoints, String project, String token) {
        this.fake = fake;
        this.endpoints = endpoints;
        this.project = project;
        this.token = token;
    }

    /**
     * A target with a fresh project named {@code prefix-XXXXXXXX}; when {@code createProject}
     * is false the test creates it itself (the README walk does).
     */
    public static TestCluster start(String prefix, boolean createProject) throws IOException {
        String project = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String servers = System.getProperty(SERVERS_PROPERTY, "");
        if (servers.isBlank()) {
            FakeIpam fake = new FakeIpam();
            List<String> endpoints = List.of(fake.startNode().uri(), fake.startNode().uri(), fake.startNode().uri());
            if (createProject) {
                fake.seedProject(project);
            }
            return new TestCluster(fake, endpoints, project, null);
        }
        String token = System.getProperty(TOKEN_PROPERTY);
        TestCluster cluster = new TestCluster(null, List.of(servers.split(",")), project, token);
        if (createProject) {
            cluster.client().projects().create(Project.of(project, null));
        }
        return cluster;
    }

    /** Whether the target is a real cluster (fault injection and fake counters are unavailable). */
    public boolean real() {
        return fake == null;
    }

    /** The fake, for counters and fault injection; fails on a real cluster (guard with {@link #real()}). */
    public FakeIpam fake() {
        if (fake == null) {
            throw new IllegalStateException("this test needs the fake; it cannot run against -D" + SERVERS_PROPERTY);
        }
        return fake;
    }

    public List<String> endpoints() {
        return endpoints;
    }

    public String project() {
        return project;
    }

    public String token() {
        return token;
    }

    /** A client on every node of the target, in the test's project. */
    public IpamClient client() {
        return new IpamClient(ClientConfig.builder().endpoints(endpoints).project(project).token(token)
                .connectTimeoutMs(1_000).requestTimeoutMs(5_000).operationTimeoutMs(20_000).backoffMs(10, 200).build());
    }

    /** Removes what the test left (claims, child pools, pools, the project), best effort. */
    @Override
    public void close() {
        if (fake != null) {
            fake.close();
            return;
        }
        IpamClient client = client();
        try {
            for (IPClaim claim : client.claims(null).listAll(ListOptions.all())) {
                ignoreErrors(() -> client.claims(claim.metadata().namespace()).delete(claim.name()));
            }
            List<IPPool> pools = new ArrayList<>(client.pools().listAll(ListOptions.all()));
            pools.sort(Comparator.comparing(p -> p.spec() == null || p.spec().parentPoolRef() == null ? 1 : 0));
            for (IPPool pool : pools) {
                ignoreErrors(() -> client.pools().delete(pool.name()));
            }
        } catch (IpamException e) {
            // The project may already be gone (the test deleted it); nothing more to clean.
            return;
        }
        ignoreErrors(() -> client.projects().delete(project));
    }

    private static void ignoreErrors(Runnable cleanup) {
        try {
            cleanup.run();
        } catch (IpamException e) {
            // Clean-up is best effort: a leftover in a uniquely named project harms no later run.
            return;
        }
    }
}
