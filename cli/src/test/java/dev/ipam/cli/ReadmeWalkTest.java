package dev.ipam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.TestCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walk of the README: create a project, a pool, claim, list, release. Runs against the fake,
 * or against a real cluster with {@code -Dipam.servers=http://127.0.0.1:8080,... [-Dipam.token=T]}.
 */
class ReadmeWalkTest {
    @TempDir
    Path home;
    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start("walk", false);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private String[] target(boolean withProject) {
        List<String> args = new ArrayList<>(List.of("--server", String.join(",", cluster.endpoints())));
        if (cluster.token() != null) {
            args.addAll(List.of("--token", cluster.token()));
        }
        if (withProject) {
            args.addAll(List.of("--project", cluster.project()));
        }
        return args.toArray(String[]::new);
    }

    @Test
    void createProjectPoolClaimListRelease() {
        String project = cluster.project();
        Cli admin = new Cli(home).with(target(false));
        Cli.Result created = admin.run("project", "create", project, "--quota-claims", "100");
        assertEquals(0, created.code(), created.toString());
        assertTrue(created.out().contains(project), created.toString());

        Cli cli = new Cli(home).with(target(true));
        Cli.Result pool = cli.run("pool", "create", "web", "--cidr", "10.0.0.0/24", "--label", "tier=web");
        assertEquals(0, pool.code(), pool.toString());
        assertTrue(pool.out().contains("10.0.0.0/24"), pool.toString());

        Cli.Result claim = cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--name", "app-1");
        assertEquals(0, claim.code(), claim.toString());
        assertTrue(claim.out().contains("app-1") && claim.out().contains("10.0.0.0/26") && claim.out().contains("Bound"), claim.toString());

        Cli.Result bySelector = cli.run("prefix", "claim", "-l", "tier=web", "--length", "28", "--name", "app-2", "-o", "name");
        assertEquals(0, bySelector.code(), bySelector.toString());
        assertEquals("ipclaim.ipam.miloapis.com/app-2\n", bySelector.out());

        Cli.Result list = cli.run("prefix", "list");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().startsWith("NAME"), list.toString());
        assertTrue(list.out().contains("app-1") && list.out().contains("10.0.0.64/28"), list.toString());

        Cli.Result describe = cli.run("describe", "ippool", "web");
        assertEquals(0, describe.code(), describe.toString());
        assertTrue(describe.out().contains("Largest Free:     /25 (10.0.0.128/25)"), describe.toString());
        assertTrue(describe.out().contains("  10.0.0.0    " + "#".repeat(40) + ".".repeat(24) + "\n  10.0.0.128  " + ".".repeat(64)),
                describe.toString());

        Cli.Result release = cli.run("prefix", "release", "app-1", "app-2");
        assertEquals(0, release.code(), release.toString());
        assertTrue(release.out().contains("ipclaim/app-1 released (10.0.0.0/26)"), release.toString());

        Cli.Result empty = cli.run("prefix", "list");
        assertEquals(0, empty.code(), empty.toString());
        assertEquals("", empty.out());
        assertTrue(empty.err().contains("No resources found in default namespace."), empty.toString());
        assertEquals("", cli.run("get", "ipalloc", "-A", "-o", "name").out(), "every allocation went back to the pool");

        assertEquals(0, cli.run("pool", "delete", "web").code());
        Cli.Result gone = admin.run("project", "delete", project);
        assertEquals(0, gone.code(), gone.toString());
    }
}
