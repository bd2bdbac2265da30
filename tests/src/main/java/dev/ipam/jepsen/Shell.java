package dev.ipam.jepsen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short system commands (ip, iptables, kill) with a time limit, capturing their output. Every
 * command the harness runs goes through here and is echoed to the run's harness log.
 */
public final class Shell {
    private static final long TIMEOUT_MS = 20_000;
    private static final int OUTPUT_CHARS_MAX = 64 * 1024;

    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final Log log;

    /** Where the harness writes what it does. */
    public interface Log {
        void line(String text);
    }

    public Shell(Log log) {
        this.log = log;
    }

    public Log log() {
        return log;
    }

    /** Runs and returns the result whatever the exit code. */
    public Result run(String... command) {
        return run(Arrays.asList(command));
    }

    public Result run(List<String> command) {
        java.nio.file.Path output = null;
        try {
            // Output goes to a file so that a hung command cannot block the reader past the timeout.
            output = java.nio.file.Files.createTempFile("ipjep-shell", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("command timed out after " + TIMEOUT_MS + " ms: " + String.join(" ", command));
            }
            byte[] bytes = readBounded(output);
            Result result = new Result(List.copyOf(command), process.exitValue(), new String(bytes, StandardCharsets.UTF_8));
            log.line("$ " + String.join(" ", command) + (result.ok() ? "" : "  -> exit " + result.exitCode() + ": " + result.output().strip()));
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                try {
                    java.nio.file.Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // A leftover temp file is harmless; the command's result is what matters.
                }
            }
        }
    }

    /** Runs and throws with the command's output when it fails. */
    public String check(String... command) {
        Result result = run(command);
        if (!result.ok()) {
            throw new IllegalStateException("command failed (exit " + result.exitCode() + "): "
                    + String.join(" ", command) + "\n" + result.output());
        }
        return result.output();
    }

    /** Runs a command inside network namespace {@code ns}. */
    public Result inNamespace(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(Arrays.asList(command));
        return run(full);
    }

    public String checkInNamespace(String ns, String... command) {
        Result result = inNamespace(ns, command);
        if (!result.ok()) {
            throw new IllegalStateException("command failed in " + ns + " (exit " + result.exitCode() + "): "
                    + String.join(" ", command) + "\n" + result.output());
        }
        return result.output();
    }

    private static byte[] readBounded(java.nio.file.Path file) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return in.readNBytes(OUTPUT_CHARS_MAX);
        }
    }

    /** True when this process runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            Process process = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor(5, TimeUnit.SECONDS) && out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True when {@code program} is on the PATH (or in /usr/sbin, /sbin, where iptables lives). */
    public static boolean available(String program) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && new java.io.File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
