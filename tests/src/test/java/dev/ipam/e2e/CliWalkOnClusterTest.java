package dev.ipam.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.cli.Ipamctl;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's walk with ipamctl against a real three-node cluster: create a project, a pool, claim
 * (by pool and by selector, and a dry run), list, describe, an exhausted pool, release, diff,
 * create and edit from a manifest, a JSONPath listing, and the cluster's status; every step's exit code is the one API.md names.
 */
class CliWalkOnClusterTest {
    @TempDir
    Path temp;

    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Map<String, String> environment;
    private List<String> target;

    private Run ipamctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Ipamctl.commandLine(environment, new ByteArrayInputStream(new byte[0]));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(target);
        return new Run(line.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    @Test
    void theReadmeWalk() {
        environment = Map.of("HOME", temp.toString(), "IPAMCONFIG", temp.resolve("config").toString());
        try (LocalCluster cluster = new LocalCluster(temp.resolve("data"), 3).start()) {
            target = List.of("--server", String.join(",", cluster.endpoints()));
            Run project = ipamctl("project", "create", "demo", "--quota-claims", "1000");
            assertEquals(0, project.code(), project.toString());

            target = List.of("--server", String.join(",", cluster.endpoints()), "--project", "demo");
            Run pool = ipamctl("pool", "create", "web", "--cidr", "10.0.0.0/16", "--label", "tier=web");
            assertEquals(0, pool.code(), pool.toString());

            Run claim = ipamctl("prefix", "claim", "--pool", "web", "--length", "24", "--name", "frontend");
            assertEquals(0, claim.code(), claim.toString());
            assertTrue(claim.out().contains("Bound") && claim.out().contains("10.0.0.0/24"), claim.toString());

            Run dryRun = ipamctl("prefix", "claim", "-l", "tier=web", "--length", "26", "--name", "api", "--dry-run");
            assertEquals(0, dryRun.code(), dryRun.toString());
            assertTrue(dryRun.out().contains("10.0.1.0/26"), dryRun.toString());
            Run notStored = ipamctl("get", "ipclaim", "api");
            assertEquals(4, notStored.code(), "a dry run stores nothing: " + notStored);

            Run bySelector = ipamctl("prefix", "claim", "-l", "tier=web", "--length", "26", "--name", "api");
            assertEquals(0, bySelector.code(), bySelector.toString());
            assertTrue(bySelector.out().contains("10.0.1.0/26"), "the dry run's answer was the real one: " + bySelector);

            Run list = ipamctl("prefix", "list");
            assertEquals(0, list.code(), list.toString());
            assertTrue(list.out().contains("frontend") && list.out().contains("api"), list.toString());

            Run describe = ipamctl("describe", "ippool", "web");
            assertEquals(0, describe.code(), describe.toString());
            assertTrue(describe.out().contains("Largest Free:     /17 (10.0.128.0/17)"), describe.toString());
            assertTrue(describe.out().contains("legend: # full   + partly used   . free"), describe.toString());

            Run big = ipamctl("prefix", "claim", "--pool", "web", "--length", "17", "--name", "half");
            assertEquals(0, big.code(), big.toString());
            Run exhausted = ipamctl("prefix", "claim", "--pool", "web", "--length", "17", "--name", "too-much");
            assertEquals(7, exhausted.code(), "pool exhausted: " + exhausted);
            assertTrue(exhausted.err().contains("largestFreePrefix"), exhausted.toString());

            Run release = ipamctl("prefix", "release", "frontend");
            assertEquals(0, release.code(), release.toString());
            Run again = ipamctl("prefix", "claim", "--pool", "web", "--length", "24", "--name", "frontend-2");
            assertEquals(0, again.code(), again.toString());
            assertTrue(again.out().contains("10.0.0.0/24"), "the released block is handed out again: " + again);

            Path manifest = temp.resolve("db.yaml");
            try {
                Files.writeString(manifest, """
                        apiVersion: ipam.miloapis.com/v1alpha1
                        kind: IPClaim
                        metadata: {name: db}
                        spec: {ipFamily: IPv4, prefixLength: 28, poolRef: {name: web}}
                        """);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Run diff = ipamctl("diff", "-f", manifest.toString());
            assertEquals(1, diff.code(), "a new claim is a difference: " + diff);
            assertTrue(diff.out().contains("\n+  allocatedCIDR: 10.0.1.64/28\n"), "the server's dry run names the block: " + diff);
            Run create = ipamctl("create", "-f", manifest.toString());
            assertEquals(0, create.code(), create.toString());
            Run same = ipamctl("diff", "-f", manifest.toString());
            assertEquals(0, same.code(), "nothing left to change: " + same);
            Path editor = temp.resolve("editor.sh");
            try {
                Files.writeString(editor, "#!/bin/sh\nsed -i 's/^  name: db$/  name: db\\n  labels: {team: storage}/' \"$1\"\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            editor.toFile().setExecutable(true);
            Map<String, String> plain = environment;
            environment = Map.of("HOME", temp.toString(), "IPAMCONFIG", temp.resolve("config").toString(), "IPAM_EDITOR", editor.toString());
            Run edit = ipamctl("edit", "ipclaim", "db");
            environment = plain;
            assertEquals(0, edit.code(), edit.toString());
            Run labelled = ipamctl("get", "ipclaim", "db", "-o", "jsonpath={.metadata.labels.team} {.status.allocatedCIDR}");
            assertEquals("storage 10.0.1.64/28", labelled.out(), "edit replaced the labels and kept the block: " + labelled);
            Run names = ipamctl("get", "ipclaims", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.allocatedCIDR}{\"\\n\"}{end}");
            assertEquals(0, names.code(), names.toString());
            assertTrue(names.out().contains("db=10.0.1.64/28\n") && names.out().contains("api=10.0.1.0/26\n"), names.toString());

            Run status = ipamctl("cluster", "status");
            assertEquals(0, status.code(), status.toString());
            for (int i = 0; i < 3; i++) {
                assertTrue(status.out().contains(cluster.id(i)), status.toString());
            }
            assertTrue(status.out().contains("LEADER"), status.toString());
        }
    }
}
