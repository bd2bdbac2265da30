package dev.ipam.ops;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the repository's ops/ scripts from tests: the checkout's root, the build they need, a bounded run. */
final class OpsScripts {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private OpsScripts() {
    }

    /** What a script printed (stdout and stderr) and how it exited. */
    record Run(int exit, String output) {
    }

    /** Skips the calling test unless bin/ipamd can run (server packaged) and curl is installed. */
    static void assumeServerPackaged() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isDirectory(ROOT.resolve("server/target/lib")),
                "server not packaged (mvn -pl server -am package); skipping");
        Assumptions.assumeTrue(new ProcessBuilder("curl", "--version").start().waitFor() == 0, "curl missing");
    }

    /** Runs {@code command} from the root with {@code env} added; its output goes through a file in {@code temp}. */
    static Run run(Path temp, Map<String, String> env, long timeoutS, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Path output = Files.createTempFile(temp, "script", ".out");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutS + " s: "
                    + Files.readString(output));
        }
        String text = Files.readString(output);
        System.out.print(text);
        return new Run(process.exitValue(), text);
    }

    /**
     * Starts {@code script} with {@code args} (from the root, {@code env} added) under a shell of its own,
     * as another script would, waits until its load generator has run 3 s, sends the script alone a
     * SIGTERM (what "kill PID" sends), and checks that the generator and every ipamd with data under
     * {@code env}'s IPAM_BENCH_DIR are gone within 10 s of its exit; the generator's --duration-s must be
     * longer than that. Returns what the script printed.
     */
    static String killDuringLoad(Path temp, Map<String, String> env, long timeoutS, String script, String... args)
            throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash", "-c",
                "\"$0\" \"$@\" & echo \"script $!\"; wait", script));
        command.addAll(java.util.List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Path output = Files.createTempFile(temp, "killed", ".out");
        builder.redirectOutput(output.toFile());
        String dataDir = env.get("IPAM_BENCH_DIR");
        Process shell = builder.start();
        ProcessHandle loadGenerator = null;
        java.util.List<ProcessHandle> daemons = java.util.List.of();
        Long scriptPid = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
            while (loadGenerator == null && shell.isAlive() && System.nanoTime() < deadline) {
                loadGenerator = descendant(shell, "dev.ipam.ops.LoadGen");
                Thread.sleep(200);
            }
            check(loadGenerator != null, "no load generator started", output);
            // Into its run: a JVM signalled while it starts may die of that alone, and the check would
            // pass without the script stopping it.
            Thread.sleep(3000);
            check(loadGenerator.isAlive(), "load generator ended early", output);
            // local-cluster.sh's nodes are not the script's descendants: found by their data directory.
            daemons = ProcessHandle.allProcesses().filter(p -> {
                String line = p.info().commandLine().orElse("");
                return line.contains("dev.ipam.server.Main") && line.contains(dataDir);
            }).toList();
            check(!daemons.isEmpty(), "no ipamd with data under " + dataDir, output);
            java.util.regex.Matcher pid = java.util.regex.Pattern.compile("script (\\d+)").matcher(Files.readString(output));
            check(pid.find(), "no script PID", output);
            scriptPid = Long.parseLong(pid.group(1));
            check(new ProcessBuilder("kill", "-TERM", pid.group(1)).start().waitFor() == 0, "script not running", output);
            check(shell.waitFor(60, TimeUnit.SECONDS), "script did not stop within 60 s of SIGTERM", output);
            check(gone(loadGenerator), "load generator " + loadGenerator.pid() + " still running after the script",
                    output);
            for (ProcessHandle daemon : daemons) {
                check(gone(daemon), "ipamd " + daemon.pid() + " still running after the script", output);
            }
            return Files.readString(output);
        } finally { // after a failed check: nothing the script started outlives the test
            if (scriptPid != null) {
                ProcessHandle.of(scriptPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            shell.destroyForcibly();
            if (loadGenerator != null) {
                loadGenerator.destroyForcibly();
            }
            daemons.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static ProcessHandle descendant(Process process, String commandLinePart) {
        return process.descendants().filter(p -> p.info().commandLine().orElse("").contains(commandLinePart))
                .findFirst().orElse(null);
    }

    private static boolean gone(ProcessHandle process) throws InterruptedException {
        for (int i = 0; i < 100 && process.isAlive(); i++) {
            Thread.sleep(100);
        }
        return !process.isAlive();
    }

    private static void check(boolean condition, String failure, Path output) throws IOException {
        if (!condition) {
            throw new AssertionError(failure + ": " + Files.readString(output));
        }
    }

    /** Whether something accepts connections on loopback {@code port} (a daemon a script should have stopped). */
    static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Env for a one-node bench script on ports base+1 (Raft) and base+2 (HTTP), data under {@code run}, with a small JVM. */
    static java.util.Map<String, String> benchNodeEnv(Path run, int base, String... more) {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("IPAM_BENCH_DIR", run.toString(),
                "IPAM_BENCH_RAFT_PORT", Integer.toString(base + 1), "IPAM_BENCH_HTTP_PORT", Integer.toString(base + 2),
                "IPAMD_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }
}
