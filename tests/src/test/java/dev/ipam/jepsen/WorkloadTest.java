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
