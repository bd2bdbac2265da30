package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/bench-core-ab.sh: a paired run prints both sides' figures from real profiles, and refuses bad input. */
class BenchCoreAbScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 300;
    private static final Pattern LINE = Pattern.compile("(?m)^run 1 ([ab]) \\(core ([01])\\): /24 ([0-9,]+) pairs/s"
            + " ([0-9,]+) B/pair \\| IPv6 ([0-9,]+) pairs/s ([0-9,]+) B/pair \\| loop samples +(\\d+)"
            + "  BytesMap\\. ([0-9.]+)%  Audit\\.record ([0-9.]+)%$");

    @TempDir
    Path temp;

    /** The tree against itself: the same work on both cores, so the same bytes per pair. */
    @Test
    void aTreeAgainstItselfGivesBothSidesFiguresFromTheirProfiles() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(OpsScripts.ROOT.resolve("statemachine/target/test-classes/dev/ipam/core/bench")),
                "statemachine's tests are not compiled; skipping");
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs 2 cores");
        Assumptions.assumeTrue(new ProcessBuilder("taskset", "-V").start().waitFor() == 0, "taskset missing");
        Path out = temp.resolve("ab");
        Map<String, String> env = Map.of("BENCH_ROUNDS", "1", "BENCH_PAIRS", "2000", "AB_OUT", out.toString(),
                "FUNCS", "BytesMap.,Audit.record");
        OpsScripts.Run run = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-core-ab.sh", ".", ".", "1");
        assertEquals(0, run.exit(), run.output());

        Matcher line = LINE.matcher(run.output());
        List<String> sides = new ArrayList<>();
        List<Long> bytesPerPair = new ArrayList<>();
        while (line.find()) {
            sides.add(line.group(1) + line.group(2));
            assertTrue(Long.parseLong(line.group(3).replace(",", "")) > 0, run.output());
            bytesPerPair.add(Long.parseLong(line.group(4).replace(",", "")));
            long samples = Long.parseLong(line.group(7));
            assertTrue(samples > 0, "no samples in the measured loop: " + run.output());
            double bytesMap = Double.parseDouble(line.group(8));
            assertTrue(bytesMap > 5 && bytesMap < 95, "the B+ tree's share of the loop: " + run.output());
            assertTrue(Double.parseDouble(line.group(9)) > 0, "the audit trail's share: " + run.output());
            String profile = Files.readString(out.resolve("run1." + line.group(1) + ".collapsed"));
            long counted = profile.lines().filter(l -> l.contains("Driver.loop"))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertEquals(counted, samples, "loop samples are the profile's");
        }
        assertEquals(List.of("a0", "b1"), sides, "one line per side, on different cores: " + run.output());
        long a = bytesPerPair.get(0);
        long b = bytesPerPair.get(1);
        assertTrue(Math.abs(a - b) * 10 < Math.max(a, b), "same tree, same bytes per pair: " + run.output());
    }

    @Test
    void badInputIsRefusedWithTheFix() throws Exception {
        OpsScripts.Run runs = OpsScripts.run(temp, Map.of(), 30, "ops/bench-core-ab.sh", ".", ".", "0");
        assertEquals(2, runs.exit(), runs.output());
        assertTrue(runs.output().contains("RUNS must be 1-20, was 0"), runs.output());

        OpsScripts.Run usage = OpsScripts.run(temp, Map.of(), 30, "ops/bench-core-ab.sh", ".");
        assertEquals(2, usage.exit(), usage.output());
        assertTrue(usage.output().contains("ops/bench-core-ab.sh TREE_A TREE_B [RUNS]"), usage.output());

        Path empty = Files.createDirectories(temp.resolve("not-built"));
        OpsScripts.Run unbuilt = OpsScripts.run(temp, Map.of(), 30, "ops/bench-core-ab.sh", ".", empty.toString(), "1");
        assertEquals(1, unbuilt.exit(), unbuilt.output());
        assertTrue(unbuilt.output().contains("statemachine is not built with its tests; run there:"), unbuilt.output());
        assertTrue(unbuilt.output().contains("mvn -q -o -pl statemachine test-compile"), unbuilt.output());
    }
}
