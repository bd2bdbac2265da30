package dev.ipam.jepsen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The harness's command line: {@code run} a scenario, {@code check} a recorded history again,
 * {@code plan} to print a fault schedule, {@code cleanup} what a killed run left behind.
 * Exit codes: 0 valid, 1 invalid, 2 usage, 3 unknown (checker budget), 4 harness error.
 */
@Command(name = "ipam-jepsen", mixinStandardHelpOptions = true,
        subcommands = {Main.Run.class, Main.Check.class, Main.Plan.class, Main.Cleanup.class},
        description = "Jepsen-style fault injection against ipamd nodes in network namespaces.")
public final class Main {
    public static final int VALID = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;
    public static final int UNKNOWN = 3;
    public static final int HARNESS_ERROR = 4;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine line = new CommandLine(new Main());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return e instanceof IllegalArgumentException ? USAGE : HARNESS_ERROR;
        });
        return line.execute(args);
    }

    static int exitCode(Linearizability.Verdict verdict) {
        return switch (verdict) {
            case VALID -> VALID;
            case INVALID -> INVALID;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /** The options of a scenario run (a picocli mixin). */
    static final class ScenarioOptions {
        @Option(names = "--name", defaultValue = "run", description = "Scenario name, part of the run dir name.")
        String name;
        @Option(names = "--nodes", defaultValue = "3", description = "3 or 5 nodes.")
        int nodes;
        @Option(names = "--duration", defaultValue = "60s", description = "Workload and fault time: 90s, 10m, 2h.")
        String duration;
        @Option(names = "--recovery", defaultValue = "60s", description = "Wait after healing before reads count as failed.")
        String recovery;
        @Option(names = "--seed", description = "Seed of the fault plan and the workload (default: random, printed).")
        Long seed;
        @Option(names = "--nemesis", defaultValue = "partitions,kill,pause",
                description = "Comma list of faults (${COMPLETION-CANDIDATES}) or all, partitions, none.",
                completionCandidates = KindNames.class)
        String nemesis;
        @Option(names = "--fault-gap", defaultValue = "3s-8s", description = "Quiet time between faults, min-max.")
        String faultGap;
        @Option(names = "--fault-hold", defaultValue = "5s-15s", description = "How long each fault lasts, min-max.")
        String faultHold;
        @Option(names = "--concurrency", defaultValue = "8")
        int concurrency;
        @Option(names = "--pools", defaultValue = "8")
        int pools;
        @Option(names = "--ops-per-pool", defaultValue = "500")
        int opsPerPool;
        @Option(names = "--prefix-lengths", defaultValue = "28-30", description = "Claim sizes within the /24 pools, e.g. 28-30.")
        String prefixLengths;
        @Option(names = "--ipamd", defaultValue = "bin/ipamd", description = "The daemon to run ({ipamd} in --command).")
        Path ipamd;
        @Option(names = "--command", defaultValue = NodeCommand.IPAMD_TEMPLATE, description = "Node command template.")
        String command;
        @Option(names = "--peer-format", defaultValue = NodeCommand.PEER_FORMAT)
        String peerFormat;
        @Option(names = "--node-flag", description = "Extra flag for every node (repeatable), e.g. --node-flag=--unsafe-stale-reads.")
        List<String> nodeFlags = new ArrayList<>();
        @Option(names = "--join-flag", defaultValue = NodeCommand.JOIN_FLAG,
                description = "Extra flag for a node re-added after removal (repeatable; default ${DEFAULT-VALUE}).")
        List<String> joinFlags = new ArrayList<>();
        @Option(names = "--raft-port", defaultValue = "9870")
        int raftPort;
        @Option(names = "--http-port", defaultValue = "8080")
        int httpPort;
        @Option(names = "--request-timeout", defaultValue = "5s")
        String requestTimeout;
        @Option(names = "--check-budget", defaultValue = "60s", description = "Linearizability search time per pool.")
        String checkBudget;
        @Option(names = "--runs-dir", defaultValue = "runs")
        Path runsDir;
        @Option(names = "--token-file", description = "File holding an admin bearer token, for nodes with auth on.")
        Path tokenFile;

        Scenario scenario() {
            long chosenSeed = seed != null ? seed : new java.security.SecureRandom().nextLong();
            String[] lengths = prefixLengths.split("-");
            String template = command.replace("{ipamd}", ipamd.toAbsolutePath().toString());
            if (command.contains("{ipamd}") && !Files.isExecutable(ipamd)) {
                throw new IllegalArgumentException("--ipamd " + ipamd.toAbsolutePath() + " is not an executable file; "
                        + "build it first (see README) or pass --ipamd / --command");
            }
            return new Scenario(name, nodes, millis(duration, "--duration"), millis(recovery, "--recovery"), chosenSeed,
                    Schedule.Kind.parse(nemesis), timing(faultGap, faultHold), concurrency, pools, opsPerPool, Integer.parseInt(lengths[0]),
                    Integer.parseInt(lengths[lengths.length - 1]),
                    new NodeCommand(template, peerFormat, nodeFlags, joinFlags, raftPort, httpPort),
                    runsDir, millis(requestTimeout, "--request-timeout"),
                    new Checker.Settings(millis(checkBudget, "--check-budget"), 4_000_000, 200), token());
        }

        private String token() {
            if (tokenFile == null) {
                return null;
            }
            try {
                return Files.readString(tokenFile).strip();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--token-file " + tokenFile + " cannot be read: " + e.getMessage());
            }
        }
    }

    static Schedule.Timing timing(String gap, String hold) {
        String[] g = gap.split("-");
        String[] h = hold.split("-");
        return new Schedule.Timing(millis(g[0], "--fault-gap"), millis(g[g.length - 1], "--fault-gap"),
                millis(h[0], "--fault-hold"), millis(h[h.length - 1], "--fault-hold"));
    }

    static final class KindNames extends ArrayList<String> {
        KindNames() {
            for (Schedule.Kind kind : Schedule.Kind.values()) {
                add(kind.word());
            }
        }
    }

    /** Parses 500ms, 90s, 10m, 2h (a bare number is seconds). */
    static long millis(String text, String option) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2));
            }
            long unit = switch (t.charAt(t.length() - 1)) {
                case 's' -> 1_000L;
                case 'm' -> 60_000L;
                case 'h' -> 3_600_000L;
                default -> 0L;
            };
            return unit == 0 ? Long.parseLong(t) * 1_000L : Long.parseLong(t.substring(0, t.length() - 1)) * unit;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a duration like 90s, 10m, 2h");
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run one scenario (root required).")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        ScenarioOptions options = new ScenarioOptions();

        @Override
        public Integer call() throws Exception {
            if (!Shell.isRoot()) {
                System.err.println("error: ipam-jepsen run must run as root: it creates network namespaces, a bridge "
                        + "and iptables rules (id -u is not 0). Re-run with sudo.");
                return HARNESS_ERROR;
            }
            Scenario scenario = options.scenario();
            System.out.println("scenario " + scenario.name() + " seed " + scenario.seed() + " (replay with --seed "
                    + scenario.seed() + ")");
            Runner.Outcome outcome = Runner.run(scenario);
            Checker.Report report = outcome.report();
            System.out.println("run dir   " + outcome.runDir());
            System.out.println("ops       " + outcome.operations() + " history events, counts " + report.counts());
            System.out.println("faults    " + outcome.faults());
            System.out.println("workload  " + outcome.workloadMs() / 1000 + " s of the " + scenario.durationMs() / 1000 + " s asked");
            if (outcome.workloadMs() < scenario.durationMs() * 9 / 10) {
                System.out.println("note      the workload ended early: every pool used its --ops-per-pool (" + scenario.opsPerPool()
                        + "); for a longer run raise --pools (up to 200) and --ops-per-pool (the checker's cost grows with ops per pool)");
            }
            System.out.println("verdict   " + report.verdict() + " (" + report.anomalies().size() + " anomalies)");
            report.nemesisErrors().forEach(op -> System.out.println("  nemesis error: " + op.f() + ": " + op.error()));
            report.anomalies().stream().limit(10).forEach(a -> System.out.println("  " + a.kind() + " " + a.pool()
                    + ": " + a.message()));
            return exitCode(report.verdict());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Check a recorded history.jsonl again.")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", description = "history.jsonl")
        Path history;
        @Option(names = "--check-budget", defaultValue = "60s")
        String budget;
        @Option(names = "--out", description = "Write results.edn/json and plots into this dir.")
        Path out;

        @Override
        public Integer call() throws Exception {
            List<Op> ops = HistoryJson.read(history);
            Checker.Report report = new Checker(new Checker.Settings(millis(budget, "--check-budget"), 4_000_000, 200))
                    .check(ops);
            if (out != null) {
                Files.createDirectories(out);
                Results.write(report, new java.util.LinkedHashMap<>(java.util.Map.of("history", history.toString())), out);
                Plots.write(ops, out);
            }
            System.out.println(Edn.write(Results.edn(report, java.util.Map.of())));
            return exitCode(report.verdict());
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, description = "Print the fault schedule a seed gives.")
    static final class Plan implements Callable<Integer> {
        @Option(names = "--seed", required = true)
        long seed;
        @Option(names = "--duration", defaultValue = "60s")
        String duration;
        @Option(names = "--nodes", defaultValue = "3")
        int nodes;
        @Option(names = "--nemesis", defaultValue = "all")
        String nemesis;
        @Option(names = "--fault-gap", defaultValue = "3s-8s")
        String faultGap;
        @Option(names = "--fault-hold", defaultValue = "5s-15s")
        String faultHold;

        @Override
        public Integer call() {
            for (Schedule.Step step : Schedule.plan(new Schedule.Settings(seed, millis(duration, "--duration"),
                    Schedule.Kind.parse(nemesis), nodes, timing(faultGap, faultHold)))) {
                System.out.printf("%8d ms  hold %6d ms  %-18s nodes %s%s%n", step.atMs(), step.holdMs(), step.kind().word(),
                        step.nodes(), step.faketime() == null ? "" : "  FAKETIME=" + step.faketime());
            }
            return VALID;
        }
    }

    @Command(name = "cleanup", mixinStandardHelpOptions = true,
            description = "Remove namespaces, links, FORWARD rules and processes left by killed runs (prefix "
                    + NetnsCluster.PREFIX + ").")
    static final class Cleanup implements Callable<Integer> {
        @Override
        public Integer call() {
            int removed = NetnsCluster.cleanupStale(new Shell(line -> System.out.println(line)));
            System.out.println("removed " + removed + " leftover objects");
            return VALID;
        }
    }
}
