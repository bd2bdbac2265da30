package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipam.jepsen.Linearizability.Verdict;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How long the checker takes on large simulated histories of one pool (figures printed, nothing
 * timed is asserted). {@code mvn -o -q -pl tests test -Dsurefire.excludedGroups= -Dtest=CheckerBenchmarkTest}.
 */
@Tag("slow")
class CheckerBenchmarkTest {
    @Test
    void largeHistories() {
        Random random = new Random(1);
        for (int processes : new int[] {4, 8, 12}) {
            for (int steps : new int[] {10_000, 40_000}) {
                List<Op> history = CheckerPropertyTest.simulate(random, processes, steps);
                long startNs = System.nanoTime();
                Checker.Report report = new Checker(Checker.Settings.defaults()).check(history);
                long ms = (System.nanoTime() - startNs) / 1_000_000;
                long info = history.stream().filter(op -> op.type() == Op.Type.INFO).count();
                System.out.printf("processes %2d events %6d info %4d -> %s in %5d ms, %d states%n", processes,
                        history.size(), info, report.verdict(), ms, report.pools().get(0).statesExplored());
                System.out.println("  search ms " + report.pools().get(0).elapsedMs());
                assertEquals(Verdict.VALID, report.verdict());
            }
        }
    }
}
