package dev.ipam.jepsen;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scenario, start to finish: namespaces and nodes, setup, workload under the nemesis, heal,
 * final and per-node reads, checker, files; then everything the run made on the machine is removed.
 * The run dir ({@code runs/<timestamp>-<runId>/}) holds history.jsonl, history.edn, results.edn,
 * results.json, latency.png, throughput.png, harness.log and nodes/<id>/node.log.
 */
public final class Runner {
    private static final String PROJECT = "jepsen";
    private static final int SETUP_PROCESS = 100_000;
    private static final int FINAL_PROCESS = 100_001;
    private static final int LOCAL_PROCESS = 100_002;
    private static final long POLL_MS = 250;
    private static final int HISTORY_OPS_MAX = 5_000_000;

    /**
     * @param workloadMs how long the workload ran: less than the scenario's duration when every pool
     *                   used its ops budget first
     */
    public record Outcome(String runId, Path runDir, Checker.Report report, int faults, int operations, long workloadMs) {
    }

    private Runner() {
    }

    public static Outcome run(Scenario scenario) throws IOException, InterruptedException {
        scenario.check();
        NetnsCluster.requireRoot();
        String runId = NetnsCluster.newRunId();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path runDir = scenario.runsDir().resolve(stamp + "-" + scenario.name() + "-" + runId);
        Files.createDirectories(runDir);
        try (PrintWriter harnessLog = new PrintWriter(Files.newBufferedWriter(runDir.resolve("harness.log"), StandardCharsets.UTF_8), true);
             Writer stream = Files.newBufferedWriter(runDir.resolve("history.jsonl"), StandardCharsets.UTF_8)) {
            Shell.Log log = line -> {
                synchronized (harnessLog) {
                    harnessLog.println(Instant.now() + " " + line);
                }
            };
            log.line("scenario " + scenario.describe());
            History history = new History(HISTORY_OPS_MAX, stream);
            IpamHttp client = new IpamHttp(PROJECT, Duration.ofMillis(Math.min(2_000, scenario.requestTimeoutMs())),
                    Duration.ofMillis(scenario.requestTimeoutMs()), scenario.bearerToken());
            int faults;
            long workloadMs;
            try (NetnsCluster cluster = NetnsCluster.create(new Shell(log), scenario.nodes(), runId)) {
                Nodes nodes = new Nodes(cluster, scenario.command(), runDir, log);
                nodes.startAll();
                awaitReady(client, nodes, scenario.recoveryMs(), log);
                setup(client, nodes, history, scenario, log);
                List<Schedule.Step> plan = Schedule.plan(new Schedule.Settings(scenario.seed(), scenario.durationMs(),
                        scenario.nemeses(), scenario.nodes(), scenario.faultTiming()));
                log.line("plan " + plan);
                Nemesis nemesis = new Nemesis(nodes, history, client, plan, log);
                Thread nemesisThread = new Thread(nemesis, "nemesis");
                nemesis.begin();
                nemesisThread.start();
                Workload workload = new Workload(new Workload.Settings(scenario.concurrency(), scenario.pools(),
                        scenario.opsPerPool(), scenario.durationMs(), scenario.prefixLengthMin(), scenario.prefixLengthMax(),
                        3, scenario.seed()), history, client, nodes.httpAddresses());
                long workloadStart = System.nanoTime();
                int done = workload.run();
                workloadMs = (System.nanoTime() - workloadStart) / 1_000_000;
                log.line("workload done: " + done + " ops in " + workloadMs + " ms");
                nemesis.stop();
                nemesisThread.join(60_000);
                faults = nemesis.applied();
                nodes.healAll();
                for (String id : nodes.removed()) {
                    try {
                        nemesis.readd(nodes.node(id));
                    } catch (RuntimeException e) {
                        log.line("final re-add of " + id + " failed: " + e.getMessage());
                    }
                }
                awaitReady(client, nodes, scenario.recoveryMs(), log);
                finalReads(client, nodes, history, scenario);
            }
            List<Op> ops = history.ops();
            Edn.writeHistory(ops, runDir.resolve("history.edn"));
            Checker.Report report = new Checker(scenario.checker()).check(ops);
            Map<String, Object> run = scenario.describe();
            run.put("run-id", runId);
            run.put("faults", (long) faults);
            run.put("workload-ms", workloadMs);
            Results.write(report, run, runDir);
            Plots.write(ops, runDir);
            deleteData(runDir.resolve("nodes"));
            log.line("verdict " + report.verdict() + " anomalies " + report.anomalies().size());
            return new Outcome(runId, runDir, report, faults, ops.size(), workloadMs);
        }
    }

    /** Polls /readyz on every node until all answer 200 or the time is up (then carries on: the history will tell). */
    static boolean awaitReady(IpamHttp client, Nodes nodes, long timeoutMs, Shell.Log log) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < deadlineNs) {
            boolean all = true;
            for (NetnsCluster.Node node : nodes.all()) {
                all &= client.ready(nodes.httpAddress(node));
            }
            if (all) {
                return true;
            }
            Thread.sleep(POLL_MS);
        }
        log.line("not every node became ready within " + timeoutMs + " ms");
        return false;
    }

    private static void setup(IpamHttp client, Nodes nodes, History history, Scenario scenario, Shell.Log log)
            throws InterruptedException {
        String first = nodes.httpAddress(nodes.all().get(0));
        long deadlineNs = System.nanoTime() + scenario.recoveryMs() * 1_000_000L;
        while (!client.createProject(first)) {
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("could not create project " + PROJECT + " on " + first);
            }
            Thread.sleep(POLL_MS);
        }
        for (int i = 0; i < scenario.pools(); i++) {
            OpValue.CreatePool pool = new OpValue.CreatePool(Workload.poolName(i), Workload.poolCidr(i));
            while (true) {
                Op invoke = history.invoke(SETUP_PROCESS, nodes.all().get(0).id(), Op.CREATE_POOL, pool);
                boolean ok = client.createPool(first, pool.pool(), pool.cidr());
                history.complete(invoke, ok ? Op.Type.OK : Op.Type.INFO, pool, ok ? null : "create failed");
                if (ok) {
                    break;
                }
                if (System.nanoTime() > deadlineNs) {
                    throw new IllegalStateException("could not create pool " + pool.pool() + " on " + first);
                }
                Thread.sleep(POLL_MS);
            }
        }
        log.line("setup: project " + PROJECT + " and " + scenario.pools() + " pools");
    }

    /**
     * After healing, rounds of: one linearizable read of each pool (retried on any node until one
     * succeeds), then a resourceVersion=0 read of each pool on every node. Rounds repeat until every
     * node agrees with the linearizable read or the recovery time is up. More than one round is
     * normal: a write that timed out may still be applied after the first final read. The checker
     * compares the last round.
     */
    private static void finalReads(IpamHttp client, Nodes nodes, History history, Scenario scenario)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + scenario.recoveryMs() * 1_000_000L;
        while (true) {
            Map<String, OpValue.Read> expected = new java.util.HashMap<>();
            for (int i = 0; i < scenario.pools(); i++) {
                String pool = Workload.poolName(i);
                for (int attempt = 0; attempt == 0 || System.nanoTime() < deadlineNs; attempt++) {
                    NetnsCluster.Node node = nodes.all().get(attempt % nodes.all().size());
                    Op invoke = history.invoke(FINAL_PROCESS, node.id(), Op.FINAL_READ, new OpValue.Read(pool, null));
                    IpamHttp.Outcome outcome = client.read(nodes.httpAddress(node), pool, false);
                    history.complete(invoke, outcome.type(), outcome.value(), outcome.error());
                    if (outcome.type() == Op.Type.OK) {
                        expected.put(pool, (OpValue.Read) outcome.value());
                        break;
                    }
                    Thread.sleep(POLL_MS);
                }
            }
            boolean converged = true;
            for (int i = 0; i < scenario.pools(); i++) {
                String pool = Workload.poolName(i);
                for (NetnsCluster.Node node : nodes.all()) {
                    Op invoke = history.invoke(LOCAL_PROCESS, node.id(), Op.LOCAL_READ, new OpValue.Read(pool, null));
                    IpamHttp.Outcome outcome = client.read(nodes.httpAddress(node), pool, true);
                    history.complete(invoke, outcome.type(), outcome.value(), outcome.error());
                    converged &= outcome.type() == Op.Type.OK && expected.containsKey(pool)
                            && Objects.equals(((OpValue.Read) outcome.value()).claims(), expected.get(pool).claims());
                }
            }
            if (converged || System.nanoTime() > deadlineNs) {
                return;
            }
            Thread.sleep(POLL_MS * 4);
        }
    }

    /** Node data is large and only useful while the run lives; logs stay. */
    private static void deleteData(Path nodesDir) throws IOException {
        if (!Files.exists(nodesDir)) {
            return;
        }
        try (var paths = Files.walk(nodesDir)) {
            List<Path> data = paths.filter(p -> p.getFileName().toString().startsWith("data")).toList();
            for (Path root : data) {
                if (Files.exists(root)) {
                    try (var inner = Files.walk(root)) {
                        for (Path p : inner.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        }
    }
}
