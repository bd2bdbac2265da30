package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a test class's {@code main} in a JVM of its own, for tests of what a halted process leaves behind. */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code main} of {@code mainClass} with {@code jvmOptions} and {@code args} on this test's
     * class path, waits at most 90 s, asserts it ended with status 0, and returns its output.
     */
    static String run(Class<?> mainClass, List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean ended = process.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ended && process.exitValue() == 0, "child ended with status 0: " + out);
        return out;
    }
}
