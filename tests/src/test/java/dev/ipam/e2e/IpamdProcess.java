package dev.ipam.e2e;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ipamd as a process of its own, on this JVM's class path, with its output in a log file: for tests
 * that kill or pause a node, which {@link LocalCluster}'s in-JVM nodes cannot be.
 */
final class IpamdProcess {
    static final String PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
    static final String IPAM = "/apis/ipam.miloapis.com/v1alpha1";

    final Process process;
    final Path log;
    final String base;

    private IpamdProcess(Process process, Path log, String base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /** Starts {@code dev.ipam.server.Main} with anonymous access, no rate limit and {@code flags}. */
    static IpamdProcess start(int httpPort, Path log, List<String> flags) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.ipam.server.Main", "--http-address", "127.0.0.1:" + httpPort, "--auth-anonymous", "true",
                "--http-requests-per-second", "0"));
        command.addAll(flags);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new IpamdProcess(process, log, "http://127.0.0.1:" + httpPort);
    }

    void awaitReady(HttpClient http, String who) {
        LocalCluster.awaitReady(http, base, who, () -> process.isAlive() ? null : "exited: " + LocalCluster.tail(log));
    }

    /** SIGTERM, then SIGKILL if it has not exited within 60 s. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A /32 claim on the pool named "pool". */
    static String claimBody(String name) {
        return "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPClaim\",\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"ipFamily\":\"IPv4\",\"prefixLength\":32,\"poolRef\":{\"name\":\"pool\"}}}";
    }
}
