package dev.ipam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.FakeIpam;
import dev.ipam.client.fake.FakeNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every exit-code class of API.md, each from a real failure, with the message a user sees. */
class ExitCodesTest {
    @TempDir
    Path home;
    private FakeIpam ipam;
    private FakeNode node;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        ipam = new FakeIpam();
        node = ipam.startNode();
        ipam.seedProject("demo");
        ipam.seedPool("demo", "web", "10.0.0.0/24", Map.of("tier", "web"));
        cli = new Cli(home).with("--server", node.uri(), "--project", "demo", "--request-timeout", "2s");
    }

    @AfterEach
    void stop() {
        ipam.close();
    }

    private static void expect(int code, String stderrPart, Cli.Result result) {
        assertEquals(code, result.code(), result.toString());
        assertTrue(result.err().contains(stderrPart), "stderr lacks '" + stderrPart + "':\n" + result);
    }

    @Test
    void ok() {
        Cli.Result result = cli.run("get", "ippools");
        assertEquals(ExitCodes.OK, result.code(), result.toString());
        assertEquals("", result.err());
        Cli.Result help = cli.run("prefix", "claim", "--help");
        assertEquals(ExitCodes.OK, help.code(), help.toString());
        assertTrue(help.out().startsWith("Usage: ipamctl prefix claim"), help.toString());
    }

    @Test
    void usageErrorsNameTheFlagAndTheFix() {
        expect(ExitCodes.USAGE, "Unknown option: '--bogus'", cli.run("get", "ippools", "--bogus"));
        expect(ExitCodes.USAGE, "unknown kind 'widgets'", cli.run("get", "widgets"));
        expect(ExitCodes.USAGE, "give --pool NAME or -l key=value", cli.run("prefix", "claim", "--pool", "web", "-l", "tier=web", "--length", "26"));
        expect(ExitCodes.USAGE, "give --length N", cli.run("prefix", "claim", "--pool", "web"));
        expect(ExitCodes.USAGE, "--family: 'IPv5' is not one of", cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--family", "IPv5"));
        expect(ExitCodes.USAGE, "--timeout: '5 parsecs' is not a duration", cli.run("wait", "ipclaim/x", "--for=delete", "--timeout", "5 parsecs"));
        expect(ExitCodes.USAGE, "Invalid value for option '--output'", cli.run("get", "ippools", "-o", "xml"));
        expect(ExitCodes.USAGE, "--label: 'tier' is not key=value", cli.run("pool", "create", "p", "--cidr", "10.1.0.0/16", "--label", "tier"));
        Cli noServer = new Cli(home);
        expect(ExitCodes.USAGE, "no server: pass --server http://HOST:PORT", noServer.run("get", "ippools", "--project", "demo"));
        expect(ExitCodes.USAGE, "no project: pass --project NAME", noServer.run("get", "ippools", "--server", node.uri()));
        expect(ExitCodes.USAGE, "'ftp://x' is not an http(s)://host:port address", noServer.run("get", "ippools", "--server", "ftp://x", "--project", "demo"));
        expect(ExitCodes.USAGE, "has a path or query; give the node's root", noServer.run("get", "ippools", "--server", node.uri() + "/api", "--project", "demo"));
        expect(ExitCodes.USAGE, "Usage: ipamctl", noServer.run());
        Cli.Result kubectlStyle = noServer.run("get", "ippools", "-o", "name", "--server",
                node.uri() + "/apis/resourcemanager.miloapis.com/v1alpha1/projects/demo/control-plane");
        assertEquals(ExitCodes.OK, kubectlStyle.code(), "a kubectl --server URL names the project too: " + kubectlStyle);
    }

    @Test
    void forbidden() {
        ipam.requireToken("admin", "viewer");
        expect(ExitCodes.FORBIDDEN, "Error from server (Unauthorized)", cli.run("get", "ippools"));
        expect(ExitCodes.FORBIDDEN, "Error from server (Forbidden)",
                cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--token", "viewer"));
        assertEquals(ExitCodes.OK, cli.run("get", "ippools", "--token", "viewer").code());
    }

    @Test
    void notFound() {
        expect(ExitCodes.NOT_FOUND, "Error from server (NotFound): ipclaims.ipam.miloapis.com \"nope\" not found", cli.run("get", "ipclaim", "nope"));
        expect(ExitCodes.NOT_FOUND, "not found", cli.run("prefix", "release", "nope"));
        Cli elsewhere = new Cli(home).with("--server", node.uri(), "--project", "elsewhere");
        expect(ExitCodes.NOT_FOUND, "projects \"elsewhere\" not found", elsewhere.run("get", "ippools"));
        assertEquals(ExitCodes.OK, cli.run("delete", "ipclaim", "nope", "--ignore-not-found").code());
    }

    @Test
    void conflict() {
        assertEquals(ExitCodes.OK, cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--name", "a").code());
        expect(ExitCodes.CONFLICT, "Error from server (AlreadyExists)", cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--name", "a"));
        expect(ExitCodes.CONFLICT, "Error from server (Conflict): pool web has allocations", cli.run("pool", "delete", "web"));
    }

    @Test
    void invalid() {
        Cli.Result tooLong = cli.run("prefix", "claim", "--pool", "web", "--length", "33");
        expect(ExitCodes.INVALID, "--length 33: must be 1..32 for IPv4", tooLong);
        Cli.Result serverSide = cli.run("prefix", "claim", "--pool", "web", "--length", "40", "--family", "IPv6");
        expect(ExitCodes.INVALID, "Error from server (BadRequest)", serverSide);
        expect(ExitCodes.INVALID, "host bits are set; did you mean 10.9.0.0/16?", cli.run("pool", "create", "x", "--cidr", "10.9.1.0/16"));
        Cli.Result manifest = cli.runWithInput("apiVersion: ipam.miloapis.com/v1alpha1\nkind: Widget\nmetadata: {name: w}\n", "apply", "-f", "-");
        expect(ExitCodes.INVALID, "unknown kind 'Widget'; expected IPPool, IPClaim or Project", manifest);
        expect(ExitCodes.INVALID, "cannot parse <stdin>", cli.runWithInput("kind: [unclosed\n", "apply", "-f", "-"));
    }

    @Test
    void fieldValidationShowsTheCause() {
        Cli.Result result = cli.runWithInput("""
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata: {name: bad}
                spec: {ipFamily: IPv4, prefixLength: 0, poolRef: {name: web}}
                """, "apply", "-f", "-");
        expect(ExitCodes.INVALID, "Error from server (Invalid)", result);
        assertTrue(result.err().contains("  spec.prefixLength: Invalid value"), result.toString());
    }

    @Test
    void exhausted() {
        expect(ExitCodes.EXHAUSTED, "Error from server (InsufficientStorage)", cli.run("prefix", "claim", "--pool", "web", "--length", "23"));
        assertEquals(0, ipam.claimCreations());
    }

    @Test
    void unavailable() {
        node.failNext(1_000, 503);
        expect(ExitCodes.UNAVAILABLE, "ServiceUnavailable", cli.run("get", "ippools"));
        node.stop();
        expect(ExitCodes.UNAVAILABLE, "no node answered", cli.run("get", "ippools"));
    }

    @Test
    void aborted() {
        assertEquals(ExitCodes.OK, cli.run("prefix", "claim", "--pool", "web", "--length", "26", "--name", "a").code());
        expect(ExitCodes.ABORTED, "timed out after 200 ms",
                cli.run("wait", "ipclaim/a", "--for=jsonpath={.status.phase}=Releasing", "--timeout", "200ms"));
    }

    @Test
    void otherErrors() {
        node.failNext(1, 500);
        expect(ExitCodes.ERROR, "Error from server (InternalError)", cli.run("get", "ippools"));
    }
}
