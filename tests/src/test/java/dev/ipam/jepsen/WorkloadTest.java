package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.jepsen.Linearizability.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client, workload and checker end to end against a single in-process fake server on 127.0.0.1:
 * a correct server passes, a server with stale reads or a double allocation is caught.
 */
class WorkloadTest {
    private static final long SEED = Long.getLong("jepsen.seed", 42L);

    private static Checker.Report runAgainst(FakeIpamd server, int pools) throws Exception {
        History history = new History(100_000, null);
        IpamHttp client = new IpamHttp("jepsen", Duration.ofSeconds(2), Duration.ofSeconds(5));
        for (int i = 0; i < pools; i++) {
            Op invoke = history.invoke(0, "n1", Op.CREATE_POOL, new OpValue.CreatePool(Workload.poolName(i), Workload.poolCidr(i)));
            assertTrue(client.createPool(server.address(), Workload.poolName(i), Workload.poolCidr(i)));
            history.complete(invoke, Op.Type.OK, invoke.value(), null);
        }
        Workload.Settings settings = new Workload.Settings(4, pools, 150, 20_000, 26, 29, 3, SEED);
        int done = new Workload(settings, history, client, Map.of("n1", server.address())).run();
        assertEquals(pools * 150, done, "every op of every pool ran");
        for (int i = 0; i < pools; i++) {
            Op invoke = history.invoke(1000, "n1", Op.FINAL_READ, new OpValue.Read(Workload.poolName(i), null));
            IpamHttp.Outcome outcome = client.read(server.address(), Workload.poolName(i), false);
            history.complete(invoke, outcome.type(), outcome.value(), outcome.error());
        }
        List<Op> ops = history.ops();
        return new Checker(Checker.Settings.defaults()).check(ops);
    }

    @Test
    void correctServerPasses() throws Exception {
        try (FakeIpamd server = new FakeIpamd("127.0.0.1", 0, false, false)) {
            Checker.Report report = runAgainst(server, 3);
            assertEquals(Verdict.VALID, report.verdict(), () -> "seed " + SEED + ": " + report.anomalies());
            assertTrue(report.counts().getOrDefault("claim.ok", 0L) > 50, () -> "claims happened: " + report.counts());
            assertTrue(report.counts().getOrDefault("read.ok", 0L) > 20, () -> "reads happened: " + report.counts());
            assertTrue(report.counts().getOrDefault("release.ok", 0L) > 20, () -> "releases happened: " + report.counts());
        }
    }

    @Test
    void bearerTokenIsSentWhenGiven() throws Exception {
        try (FakeIpamd server = new FakeIpamd("127.0.0.1", 0, false, false)) {
            server.requiredToken = "s3cret";
            OpValue.Claim claim = new OpValue.Claim("p0", "p0-c1", 28, null);
            IpamHttp anonymous = new IpamHttp("jepsen", Duration.ofSeconds(2), Duration.ofSeconds(5));
            assertTrue(!anonymous.createPool(server.address(), "p0", Workload.poolCidr(0)));
            IpamHttp.Outcome refused = anonymous.claim(server.address(), claim);
            assertEquals(Op.Type.FAIL, refused.type(), "401 is a definite refusal");
            IpamHttp authorized = new IpamHttp("jepsen", Duration.ofSeconds(2), Duration.ofSeconds(5), "s3cret");
            assertTrue(authorized.createPool(server.address(), "p0", Workload.poolCidr(0)));
            assertEquals(Op.Type.OK, authorized.claim(server.address(), claim).type());
        }
    }

    @Test
    void writeOutcomesFollowJepsenRules() throws Exception {
        try (FakeIpamd server = new FakeIpamd("127.0.0.1", 0, false, false)) {
            IpamHttp client = new IpamHttp("jepsen", Duration.ofSeconds(2), Duration.ofSeconds(5));
            assertTrue(client.createPool(server.address(), "p0", Cidr.parse("10.64.0.0/30")));
            OpValue.Claim whole = new OpValue.Claim("p0", "p0-c1", 30, null);
            assertEquals(Op.Type.OK, client.claim(server.address(), whole).type());
            IpamHttp.Outcome again = client.claim(server.address(), whole);
            assertEquals(Op.Type.INFO, again.type(), "409 on a fresh name may mean our own earlier attempt: indeterminate");
            IpamHttp.Outcome full = client.claim(server.address(), new OpValue.Claim("p0", "p0-c2", 30, null));
            assertEquals(Op.Type.FAIL, full.type());
            assertEquals("exhausted", full.error());
            IpamHttp.Outcome gone = client.release(server.address(), new OpValue.Release("p0", "p0-nope", null));
            assertEquals(new OpValue.Release("p0", "p0-nope", false), gone.value(), "404 is an ok release of nothing");
            try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
                String nowhere = "127.0.0.1:" + closed.getLocalPort();
                closed.close();
                assertEquals(Op.Type.FAIL, client.claim(nowhere, new OpValue.Claim("p0", "p0-c3", 30, null)).type(),
                        "a refused connection never reached the server");
                assertEquals(Op.Type.FAIL, client.read(nowhere, "p0", false).type());
            }
        }
    }

    @Test
    void staleReadsAreCaught() throws Exception {
        try (FakeIpamd server = new FakeIpamd("127.0.0.1", 0, true, false)) {
            Checker.Report report = runAgainst(server, 2);
            assertEquals(Verdict.INVALID, report.verdict(), "seed " + SEED);
            assertTrue(report.anomalies().stream().anyMatch(a -> a.kind().equals(Anomaly.NONLINEARIZABLE)));
        }
    }

    @Test
    void doubleAllocationIsCaught() throws Exception {
        try (FakeIpamd server = new FakeIpamd("127.0.0.1", 0, false, true)) {
            Checker.Report report = runAgainst(server, 2);
            assertEquals(Verdict.INVALID, report.verdict(), "seed " + SEED);
            assertTrue(report.anomalies().stream().anyMatch(a -> a.kind().equals(Anomaly.OVERLAP)),
                    () -> "seed " + SEED + ": " + report.anomalies());
        }
    }
}
