package dev.ipam.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.Codec;
import dev.ipam.client.fake.FakeIpam;
import dev.ipam.client.fake.FakeNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** -o formats, apply/create/diff/delete -f, edit, wait, explain and the admin nouns, against one fake node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputAndVerbsTest {
    @TempDir
    static Path home;
    private FakeIpam ipam;
    private FakeNode node;
    private Cli cli;

    @BeforeAll
    void start() throws Exception {
        ipam = new FakeIpam();
        node = ipam.startNode();
        ipam.seedProject("demo");
        ipam.seedPool("demo", "web", "10.0.0.0/24", Map.of("tier", "web"));
        ipam.seedPool("demo", "v6", "2001:db8::/48", Map.of());
        cli = new Cli(home).with("--server", node.uri(), "--project", "demo");
        ok(cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--name", "fmt-a", "--label", "app=fmt"));
        ok(cli.run("prefix", "claim", "--pool", "v6", "--length", "64", "--name", "fmt-b", "--label", "app=fmt"));
    }

    @AfterAll
    void stop() {
        ipam.close();
    }

    private static Cli.Result ok(Cli.Result result) {
        assertEquals(0, result.code(), result.toString());
        return result;
    }

    @Test
    void tableAndWideHaveTheColumnsOfTheContract() {
        String table = ok(cli.run("get", "ipclaims", "-l", "app=fmt")).out();
        assertEquals("NAME    PHASE   CIDR            POOL   FAMILY   LENGTH   AGE", table.lines().findFirst().orElseThrow());
        assertTrue(table.contains("\nfmt-a   Bound   10.0.0.0/26     web    IPv4     /26      "), table);
        assertTrue(table.contains("\nfmt-b   Bound   2001:db8::/64   v6     IPv6     /64      "), table);
        String wide = ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o", "wide")).out();
        assertTrue(wide.lines().findFirst().orElseThrow().endsWith("RECLAIM   ALLOCATION               POOL PROJECT"), wide);
        String pools = ok(cli.run("get", "ippool")).out();
        assertTrue(pools.startsWith("NAME   CIDR            PHASE   FAMILY   LARGEST FREE   UTIL%   AGE\n"), pools);
        assertTrue(pools.contains("\nweb    10.0.0.0/24     Ready   IPv4     /25            25      "), pools);
        String allocations = ok(cli.run("get", "ipalloc", "-A")).out();
        assertTrue(allocations.startsWith("NAMESPACE   NAME   "), allocations);
    }

    @Test
    void jsonPathTemplatesAsKubectlWritesThem() {
        assertEquals("fmt-a fmt-b", ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o", "jsonpath={.items[*].metadata.name}")).out());
        assertEquals("fmt-a=10.0.0.0/26\nfmt-b=2001:db8::/64\n", ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o",
                "jsonpath={range .items[*]}{.metadata.name}={.status.allocatedCIDR}{\"\\n\"}{end}")).out());
        // A single object is the template's root, and $ names it inside a range too.
        assertEquals("10.0.0.0/26", ok(cli.run("get", "ipclaim", "fmt-a", "-o", "jsonpath={.status.allocatedCIDR}")).out());
        assertEquals("Ready:True", ok(cli.run("get", "ipclaim", "fmt-a", "-o",
                "jsonpath={range .status.conditions[?(@.type==\"Ready\")]}{.type}:{.status}{end}")).out());
        assertEquals("fmt-b", ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o",
                "jsonpath={.items[-1].metadata.name}")).out());
        assertEquals("fmt-b", ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o",
                "jsonpath={.items[?(@.spec.poolRef.name!=\"web\")].metadata.name}")).out());
        // Objects print as compact JSON; a missing field prints nothing (kubectl's --allow-missing-template-keys).
        assertEquals("{\"app\":\"fmt\"}|", ok(cli.run("get", "ipclaim", "fmt-a", "-o", "jsonpath={.metadata.labels}|{.spec.nothing}")).out());
    }

    @Test
    void customColumnsAndBadTemplatesNameTheFix() {
        assertEquals("NAME    CIDR\nfmt-a   10.0.0.0/26\nfmt-b   2001:db8::/64\n", ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o",
                "custom-columns=NAME:.metadata.name,CIDR:.status.allocatedCIDR")).out());
        assertEquals("NAME    MISSING\nfmt-a   <none>\n", ok(cli.run("get", "ipclaim", "fmt-a", "-o",
                "custom-columns=NAME:.metadata.name,MISSING:.spec.nothing")).out());
        Cli.Result unclosed = cli.run("get", "ipclaims", "-o", "jsonpath={range .items[*]}{.metadata.name}");
        assertEquals(ExitCodes.USAGE, unclosed.code(), unclosed.toString());
        assertTrue(unclosed.err().contains("{range ...} without {end}"), unclosed.err());
        Cli.Result badColumn = cli.run("get", "ipclaims", "-o", "custom-columns=NAME");
        assertEquals(ExitCodes.USAGE, badColumn.code(), badColumn.toString());
        assertTrue(badColumn.err().contains("'NAME' is not NAME:PATH"), badColumn.err());
        Cli.Result unknown = cli.run("get", "ipclaims", "-o", "xml");
        assertEquals(ExitCodes.USAGE, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("jsonpath=TEMPLATE or custom-columns=NAME:PATH"), unknown.err());
    }

    @Test
    void jsonYamlAndName() throws Exception {
        JsonNode one = Codec.JSON.readTree(ok(cli.run("get", "ipclaim", "fmt-a", "-o", "json")).out());
        assertEquals("IPClaim", one.path("kind").asText());
        assertEquals("10.0.0.0/26", one.path("status").path("allocatedCIDR").asText());
        JsonNode list = Codec.JSON.readTree(ok(cli.run("get", "ipclaims", "-l", "app=fmt", "-o", "json")).out());
        assertEquals("List", list.path("kind").asText());
        assertEquals(2, list.path("items").size());
        String yaml = ok(cli.run("get", "ipclaim/fmt-b", "-o", "yaml")).out();
        assertTrue(yaml.contains("allocatedCIDR: 2001:db8::/64") || yaml.contains("allocatedCIDR: \"2001:db8::/64\""), yaml);
        assertTrue(yaml.startsWith("apiVersion: ipam.miloapis.com/v1alpha1\nkind: IPClaim\n"), yaml);
        // A string that looks like a number stays quoted, so the YAML reads back as the same object (edit, apply -f).
        assertTrue(yaml.matches("(?s).*\n  resourceVersion: \"\\d+\"\n.*"), yaml);
        assertEquals("ippool.ipam.miloapis.com/v6\nippool.ipam.miloapis.com/web\n", ok(cli.run("get", "ippools", "-o", "name")).out());
        assertEquals("ipclaim.ipam.miloapis.com/fmt-a\n",
                ok(cli.run("get", "ipclaims", "--field-selector", "spec.poolRef.name=web", "-o", "name", "-l", "app=fmt")).out());
    }

    @Test
    void applyCreatesThenLeavesUnchangedThenConfiguresAndDeleteFRemoves() throws Exception {
        Path file = home.resolve("objects.yaml");
        Files.writeString(file, """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPPool
                metadata:
                  name: apply-pool
                  labels: {tier: db}
                spec:
                  cidr: 10.20.0.0/16
                  ipFamily: IPv4
                ---
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata:
                  name: apply-claim
                spec:
                  ipFamily: IPv4
                  prefixLength: 24
                  poolSelector:
                    matchLabels: {tier: db}
                """);
        assertEquals("ippool.ipam.miloapis.com/apply-pool created\nipclaim.ipam.miloapis.com/apply-claim created\n",
                ok(cli.run("apply", "-f", file.toString())).out());
        assertEquals("ippool.ipam.miloapis.com/apply-pool unchanged\nipclaim.ipam.miloapis.com/apply-claim unchanged\n",
                ok(cli.run("apply", "-f", file.toString())).out());
        Files.writeString(file, Files.readString(file).replace("labels: {tier: db}", "labels: {tier: db, env: prod}"));
        assertEquals("ippool.ipam.miloapis.com/apply-pool configured\nipclaim.ipam.miloapis.com/apply-claim unchanged\n",
                ok(cli.run("apply", "-f", file.toString())).out());
        assertEquals("10.20.0.0/24", Codec.JSON.readTree(ok(cli.run("get", "ipclaim", "apply-claim", "-o", "json")).out())
                .path("status").path("allocatedCIDR").asText());
        Cli.Result immutable = cli.runWithInput("""
                {"apiVersion": "ipam.miloapis.com/v1alpha1", "kind": "IPPool",
                 "metadata": {"name": "apply-pool"}, "spec": {"cidr": "10.21.0.0/16", "ipFamily": "IPv4"}}
                """, "apply", "-f", "-");
        assertEquals(ExitCodes.INVALID, immutable.code(), immutable.toString());
        Cli.Result deleted = cli.run("delete", "-f", file.toString());
        // The pool (first in the file) is refused while the claim holds a block; the claim goes; the exit says conflict.
        assertEquals(ExitCodes.CONFLICT, deleted.code(), deleted.toString());
        assertEquals("ipclaim.ipam.miloapis.com \"apply-claim\" deleted\n", deleted.out());
        assertTrue(deleted.err().contains("Error from server (Conflict): pool apply-pool has allocations"), deleted.toString());
        assertEquals(ExitCodes.OK, cli.run("get", "ippool", "apply-pool").code());
        assertEquals(ExitCodes.NOT_FOUND, cli.run("get", "ipclaim", "apply-claim").code());
        ok(cli.run("delete", "ippool", "apply-pool"));
    }

    @Test
    void createRefusesWhatExistsAndDiffShowsWhatApplyWouldChange() throws Exception {
        Path file = home.resolve("diff.yaml");
        Files.writeString(file, """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPPool
                metadata:
                  name: diff-pool
                  labels: {tier: cache}
                spec:
                  cidr: 10.30.0.0/16
                  ipFamily: IPv4
                """);
        // A new object: every line is an addition, and the exit code says "differences".
        Cli.Result fresh = cli.run("diff", "-f", file.toString());
        assertEquals(ExitCodes.ERROR, fresh.code(), fresh.toString());
        assertTrue(fresh.out().startsWith("--- live/ippools/diff-pool\n+++ merged/ippools/diff-pool\n"), fresh.out());
        assertTrue(fresh.out().contains("\n+  cidr: 10.30.0.0/16\n"), fresh.out());
        assertEquals(ExitCodes.NOT_FOUND, cli.run("get", "ippool", "diff-pool").code(), "diff must store nothing");

        assertEquals("ippool.ipam.miloapis.com/diff-pool created\n", ok(cli.run("create", "-f", file.toString())).out());
        Cli.Result again = cli.run("create", "-f", file.toString());
        assertEquals(ExitCodes.CONFLICT, again.code(), again.toString());
        assertTrue(again.err().contains("AlreadyExists"), again.err());

        Cli.Result same = cli.run("diff", "-f", file.toString());
        assertEquals(ExitCodes.OK, same.code(), same.toString());
        assertEquals("", same.out());

        Files.writeString(file, Files.readString(file).replace("labels: {tier: cache}", "labels: {tier: cache, env: prod}"));
        Cli.Result changed = cli.run("diff", "-f", file.toString());
        assertEquals(ExitCodes.ERROR, changed.code(), changed.toString());
        assertTrue(changed.out().contains("\n+    env: prod\n"), changed.out());
        assertTrue(changed.out().lines().filter(line -> line.startsWith("-") && !line.startsWith("---")).findAny().isEmpty(),
                "only an addition: " + changed.out());
        JsonNode live = Codec.JSON.readTree(ok(cli.run("get", "ippool", "diff-pool", "-o", "json")).out());
        assertTrue(live.path("metadata").path("labels").path("env").isMissingNode(), "diff must not patch: " + live);
        ok(cli.run("delete", "ippool", "diff-pool"));
    }

    @Test
    void editReplacesWhatTheEditorSavedAndKeepsARefusedEdit() throws Exception {
        ok(cli.run("prefix", "claim", "--pool", "v6", "--length", "64", "--name", "edited", "--label", "app=old"));
        // The "editor" is a script that changes the file as a person would in vi.
        Cli.Result edited = editor("sed -i 's/app: old/app: new/' \"$1\"").run("edit", "ipclaim", "edited");
        assertEquals("ipclaim.ipam.miloapis.com/edited edited\n", ok(edited).out());
        assertEquals("new", Codec.JSON.readTree(ok(cli.run("get", "ipclaim", "edited", "-o", "json")).out())
                .path("metadata").path("labels").path("app").asText());

        Cli.Result unchanged = editor("exit 0").run("edit", "ipclaim/edited");
        assertEquals("Edit cancelled, no changes made.\n", ok(unchanged).out());

        // spec is immutable: the server refuses, the exit code says so, and the edit is kept in its file.
        Cli.Result refused = editor("sed -i 's/prefixLength: 64/prefixLength: 63/' \"$1\"").run("edit", "ipclaim", "edited");
        assertEquals(ExitCodes.INVALID, refused.code(), refused.toString());
        String kept = refused.err().lines().filter(line -> line.startsWith("your edit is kept in ")).findFirst().orElseThrow()
                .substring("your edit is kept in ".length());
        assertTrue(Files.readString(Path.of(kept)).contains("prefixLength: 63"), kept);
        Files.delete(Path.of(kept));
        assertEquals(64, Codec.JSON.readTree(ok(cli.run("get", "ipclaim", "edited", "-o", "json")).out())
                .path("spec").path("prefixLength").asInt());

        // An editor that fails: an untouched file is removed, a changed one is kept and named.
        Cli.Result brokenEditor = editor("exit 3").run("edit", "ipclaim", "edited");
        assertEquals(ExitCodes.ABORTED, brokenEditor.code(), brokenEditor.toString());
        assertFalse(brokenEditor.err().contains("kept in"), brokenEditor.toString());
        assertFalse(Files.exists(lastEdited()), "an untouched file is removed: " + lastEdited());
        Cli.Result changedThenFailed = editor("sed -i 's/app: new/app: lost/' \"$1\"; exit 3").run("edit", "ipclaim", "edited");
        assertEquals(ExitCodes.ABORTED, changedThenFailed.code(), changedThenFailed.toString());
        String keptAfterFailure = changedThenFailed.err().substring(changedThenFailed.err().indexOf("kept in ") + "kept in ".length())
                .replaceAll("\\).*\\s*$", "");
        assertTrue(Files.readString(Path.of(keptAfterFailure)).contains("app: lost"), changedThenFailed.toString());
        Files.delete(Path.of(keptAfterFailure));
        assertEquals("new", Codec.JSON.readTree(ok(cli.run("get", "ipclaim", "edited", "-o", "json")).out())
                .path("metadata").path("labels").path("app").asText());
        ok(cli.run("prefix", "release", "edited"));
    }

    /** The file the last {@link #editor} script was given. */
    private Path lastEdited() throws Exception {
        return Path.of(Files.readString(home.resolve("last-edited")));
    }

    /** A Cli whose IPAM_EDITOR is a shell script with this body ($1 is the file). */
    private Cli editor(String body) throws Exception {
        Path script = Files.createTempFile(home, "editor-", ".sh");
        Files.writeString(script, "#!/bin/sh\nprintf '%s' \"$1\" > '" + home.resolve("last-edited") + "'\n" + body + "\n");
        script.toFile().setExecutable(true);
        return new Cli(home).with("--server", node.uri(), "--project", "demo").env("IPAM_EDITOR", script.toString());
    }

    @Test
    void dryRunShowsTheExactBlockAndStoresNothing() {
        int before = ipam.claimCreations();
        String out = ok(cli.run("prefix", "claim", "--pool", "web", "--length", "28", "--name", "dry", "--dry-run", "-o", "json")).out();
        assertTrue(out.contains("\"allocatedCIDR\" : \"10.0.0.64/28\""), out);
        assertEquals(before, ipam.claimCreations());
        assertEquals(ExitCodes.NOT_FOUND, cli.run("get", "ipclaim", "dry").code());
    }

    @Test
    void waitSeesConditionsJsonPathAndDeletion() {
        ok(cli.run("prefix", "claim", "--pool", "web", "--length", "30", "--name", "w"));
        assertEquals("ipclaim.ipam.miloapis.com/w condition met\n", ok(cli.run("wait", "ipclaim/w", "--for=condition=Ready")).out());
        assertEquals("ipclaim.ipam.miloapis.com/w condition met\n",
                ok(cli.run("wait", "ipclaim", "w", "--for=jsonpath={.status.phase}=Bound")).out());
        ok(cli.run("wait", "ipclaim/w", "--for=jsonpath={.status.conditions[?(@.type==\"Ready\")].status}=True"));
        ok(cli.run("prefix", "release", "w"));
        assertEquals("ipclaim.ipam.miloapis.com/w deleted\n", ok(cli.run("wait", "ipclaim/w", "--for=delete", "--timeout", "5s")).out());
    }

    @Test
    void getWatchPrintsTheListThenEveryChangeUntilInterrupted() throws Exception {
        ok(cli.run("prefix", "claim", "--pool", "web", "--length", "30", "--name", "watch-1", "--label", "app=watch"));
        Cli.Running watch = cli.start("get", "ipclaims", "-w", "-l", "app=watch");
        awaitOutput(watch, "watch-1");
        assertTrue(watch.output().startsWith("NAME "), watch.output());
        ok(cli.run("prefix", "claim", "--pool", "web", "--length", "30", "--name", "watch-2", "--label", "app=watch"));
        awaitOutput(watch, "watch-2");
        ok(cli.run("prefix", "release", "watch-1", "watch-2"));
        watch.thread.interrupt();
        watch.thread.join(5_000);
        assertEquals(ExitCodes.ABORTED, watch.code, watch.output() + watch.err);
    }

    private static void awaitOutput(Cli.Running running, String text) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertTrue(
                running.output().contains(text), () -> "no '" + text + "' within 10 s: " + running.output() + running.err));
    }

    @Test
    void explainDocumentsFields() {
        String spec = ok(cli.run("explain", "ipclaims.spec")).out();
        assertTrue(spec.contains("KIND:       IPClaim"), spec);
        assertTrue(spec.contains("prefixLength\t<integer> -required-"), spec);
        String recursive = ok(cli.run("explain", "ippool", "--recursive")).out();
        assertTrue(recursive.contains("      minPrefixLength\t<integer>"), recursive);
        assertEquals(ExitCodes.NOT_FOUND, cli.run("explain", "ipclaim.spec.nothing").code());
    }

    @Test
    void projectsAndClusterAdministration() {
        Cli admin = new Cli(home).with("--server", node.uri());
        ok(admin.run("project", "create", "other", "--quota-claims", "5"));
        String projects = ok(admin.run("project", "list")).out();
        assertTrue(projects.startsWith("NAME    CLAIMS   IPV4 ADDRESSES   CLAIMS QUOTA   IPV4 QUOTA   AGE"), projects);
        assertTrue(projects.contains("other   0        0                5              none"), projects);
        assertEquals(ExitCodes.CONFLICT, admin.run("project", "delete", "demo").code());
        assertEquals("project.resourcemanager.miloapis.com \"other\" deleted\n", ok(admin.run("project", "delete", "other")).out());

        String status = ok(admin.run("cluster", "status")).out();
        assertTrue(status.contains("Leader:    n1"), status);
        assertTrue(status.contains("n1   LEADER"), status);
        assertTrue(status.contains(node.uri() + "   yes"), status);
        assertTrue(ok(admin.run("cluster", "add-peer", "n9", "--raft-address", "127.0.0.1:9", "--http-address", "http://127.0.0.1:19"))
                .out().contains("members: [n1, n9]"));
        assertEquals("leader: n9 (term 1)\n", ok(admin.run("cluster", "transfer-leader", "n9")).out());
        ok(admin.run("cluster", "transfer-leader", "n1"));
        assertTrue(ok(admin.run("cluster", "remove-peer", "n9")).out().contains("members: [n1]"));
        assertTrue(ok(admin.run("cluster", "snapshot")).out().startsWith("snapshot taken at index "));
        assertEquals(ExitCodes.NOT_FOUND, admin.run("cluster", "remove-peer", "n9").code());
    }

    @Test
    void describeClaimAndShowPool() {
        String claim = ok(cli.run("prefix", "show", "fmt-a")).out();
        assertTrue(claim.contains("Allocated CIDR:   10.0.0.0/26"), claim);
        assertTrue(claim.contains("Addresses:        10.0.0.0 - 10.0.0.63 (64)"), claim);
        String pool = ok(cli.run("pool", "show", "v6")).out();
        assertTrue(pool.contains("Occupancy: 128 cells, each a /55 (2^73 addresses)"), pool);
        assertTrue(pool.contains("Largest Free:     /49 (2001:db8:0:8000::/49)"), pool);
        assertTrue(pool.contains("  2001:db8::         +" + ".".repeat(63) + "\n  2001:db8:0:8000::  " + ".".repeat(64)), pool);
    }
}
