package dev.ipam.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs ipamctl in-process with captured output, an isolated config file and given standard input. */
final class Cli {
    /** What one run produced. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> environment = new HashMap<>();
    private final List<String> globalArgs = new ArrayList<>();

    Cli(Path home) {
        environment.put("HOME", home.toString());
        environment.put("IPAMCONFIG", home.resolve("ipam-config").toString());
    }

    /** Adds flags to every run (e.g. --server URL --project demo). */
    Cli with(String... args) {
        globalArgs.addAll(List.of(args));
        return this;
    }

    /** Sets an environment variable for later runs (e.g. IPAM_EDITOR). */
    Cli env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    Path configPath() {
        return Path.of(environment.get("IPAMCONFIG"));
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    /** A run on its own thread, whose output can be read while it runs (for -w). */
    static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;
        volatile int code = -1;

        Running(CommandLine line, String[] args) {
            line.setOut(new PrintWriter(out, true));
            line.setErr(new PrintWriter(err, true));
            thread = new Thread(() -> code = line.execute(args), "ipamctl-under-test");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized String output() {
            synchronized (out) {
                return out.toString();
            }
        }
    }

    Running start(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(globalArgs);
        return new Running(Ipamctl.commandLine(environment, new ByteArrayInputStream(new byte[0])), all.toArray(String[]::new));
    }

    Result runWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Ipamctl.commandLine(environment, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(globalArgs);
        int code = line.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }
}
