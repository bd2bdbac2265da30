package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.store.Space;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Absence} against a source whose builds the test holds and releases, so the interleavings
 * of a build with commits are chosen here, not by the scheduler.
 */
class AbsenceTest {
    private static final Space S = Space.OBJECTS;

    /** Keys per space; a build sees the keys present when its snapshot was taken. */
    private static final class Source implements Absence.Source {
        final Map<Space, TreeSet<String>> keys = new EnumMap<>(Space.class);
        long estimate;
        RuntimeException failure;
        CountDownLatch hold = new CountDownLatch(0);
        int snapshots;
        int released;

        void commit(Space space, String key) {
            keys.computeIfAbsent(space, s -> new TreeSet<>()).add(key);
        }

        @Override
        public synchronized Absence.Snapshot snapshot() {
            snapshots++;
            Map<Space, List<String>> pinned = new EnumMap<>(Space.class);
            keys.forEach((space, set) -> pinned.put(space, new ArrayList<>(set)));
            CountDownLatch gate = hold;
            RuntimeException fail = failure;
            return new Absence.Snapshot() {
                @Override
                public long estimatedKeys(Space space) {
                    return estimate;
                }

                @Override
                public void forEachKey(Space space, Absence.KeyVisitor visitor) {
                    try {
                        if (!gate.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("build held for 30 s");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    if (fail != null) {
                        throw fail;
                    }
                    for (String key : pinned.getOrDefault(space, List.of())) {
                        if (!visitor.visit(bytes(key))) {
                            return;
                        }
                    }
                }

                @Override
                public void close() {
                    synchronized (Source.this) {
                        released++;
                    }
                }
            };
        }
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** Commits a key the way RocksStore does: to the database, then to the filters. */
    /** A source whose space S holds k0 .. k(count-1) before any build. */
    private static Source sourceWithKeys(int count) {
        Source source = new Source();
        for (int i = 0; i < count; i++) {
            source.commit(S, "k" + i);
        }
        return source;
    }

    private static void commit(Source source, Absence absence, Space space, String key) {
        source.commit(space, key);
        absence.put(space, bytes(key));
    }

    @Test
    void answersNothingUntilTheFirstBuildLandsThenEveryAbsentKey() throws Exception {
        Source source = new Source();
        source.commit(S, "present");
        source.hold = new CountDownLatch(1);
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, e -> { })) {
            assertFalse(absence.absent(S, bytes("missing")), "answered before any filter was built");
            source.hold.countDown();
            absence.awaitBuild();
            assertFalse(absence.absent(S, bytes("present")), "a present key reported absent");
            int answered = 0;
            for (int i = 0; i < 100; i++) {
                answered += absence.absent(S, bytes("missing-" + i)) ? 1 : 0;
            }
            assertTrue(answered >= 95, "only " + answered + " of 100 absent keys answered");
            assertEquals(answered, absence.answered());
            assertEquals(1, source.released, "the build's snapshot was not released");
        }
    }

    @Test
    void keysCommittedWhileABuildRunsAreNeverReportedAbsent() throws Exception {
        Source source = new Source();
        source.hold = new CountDownLatch(1);
        try (Absence absence = new Absence(EnumSet.of(S, Space.REQUESTS), source, 64, e -> { })) {
            // After the snapshot, before the build reads anything: only the pending list knows these.
            for (int i = 0; i < 40; i++) {
                commit(source, absence, i % 2 == 0 ? S : Space.REQUESTS, "late-" + i);
            }
            source.hold.countDown();
            absence.awaitBuild();
            assertNotNull(absence.filter(S));
            for (int i = 0; i < 40; i++) {
                Space space = i % 2 == 0 ? S : Space.REQUESTS;
                assertFalse(absence.absent(space, bytes("late-" + i)), "late-" + i + " committed during the build lost");
            }
            commit(source, absence, S, "after");
            assertFalse(absence.absent(S, bytes("after")), "a key committed after install lost");
        }
    }

    @Test
    void aFullFilterGrowsALayerWithoutScanningTheSpace() throws Exception {
        Source source = new Source();
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, e -> { })) {
            absence.awaitBuild();
            Absence.Layers filter = absence.filter(S);
            assertEquals(64, filter.capacity());
            for (int i = 0; i < 1_000; i++) {
                commit(source, absence, S, "k" + i);
            }
            absence.awaitBuild();
            assertEquals(1, absence.builds(), "a full filter was built again from a scan");
            assertEquals(1, source.snapshots, "the space was read again");
            assertSame(filter, absence.filter(S));
            // 64, then layers of 3 times the whole: 192 (256 in all), 768 (1,024).
            assertEquals(3, filter.layers());
            assertEquals(1_024, filter.capacity());
            assertEquals(2, absence.layersAdded());
            for (int i = 0; i < 1_000; i++) {
                assertFalse(absence.absent(S, bytes("k" + i)), "k" + i + " lost across layers");
            }
            int answered = 0;
            for (int i = 0; i < 1_000; i++) {
                answered += absence.absent(S, bytes("missing-" + i)) ? 1 : 0;
            }
            assertTrue(answered >= 900, "three layers answered only " + answered + " of 1000 absent keys");
        }
    }

    /** Layers' false positives add up: grown layers take more bits per key so four stay near one. */
    @Test
    void fourLayersLetFewAbsentKeysThrough() throws Exception {
        Source source = new Source();
        try (Absence absence = new Absence(EnumSet.of(S), source, 1_024, e -> { })) {
            absence.awaitBuild();
            // 1,024, then 3,072, 12,288 and 49,152: four layers, the last two thirds full.
            for (int i = 0; i < 40_000; i++) {
                absence.put(S, bytes("claim-" + i));
            }
            assertEquals(4, absence.filter(S).layers());
            int passed = 0;
            for (int i = 0; i < 100_000; i++) {
                passed += absence.absent(S, bytes("other-" + i)) ? 0 : 1;
            }
            // With a built filter's 10 bits per key in every layer: 1.6%.
            assertTrue(passed < 500, passed + " of 100,000 absent keys passed the layers");
        }
    }

    @Test
    void aFilterAtMostLayersIsBuiltAgainAsOneLayerFromTheKeysFound() throws Exception {
        Source source = new Source();
        try (Absence absence = new Absence(EnumSet.of(S), source, 1, e -> { })) {
            absence.awaitBuild();
            // Capacities 1, 3, 12, 48, 192, 768: six layers hold 1,024 keys; a key past that starts a build.
            int committed = 0;
            while (absence.builds() < 2 && committed < 5_000) {
                commit(source, absence, S, "k" + committed++);
                assertTrue(absence.filter(S).layers() <= Absence.MAX_LAYERS, "layers: " + absence.filter(S).layers());
            }
            absence.awaitBuild();
            assertEquals(2, absence.builds(), "no build after " + committed + " keys");
            assertTrue(committed > 1_024, "built again after " + committed + " keys, before six layers were full");
            assertEquals(Absence.MAX_LAYERS - 1, absence.layersAdded());
            Absence.Layers rebuilt = absence.filter(S);
            assertEquals(1, rebuilt.layers());
            assertTrue(rebuilt.capacity() >= 4 * 1_024, "capacity " + rebuilt.capacity());
            for (int i = 0; i < committed; i++) {
                assertFalse(absence.absent(S, bytes("k" + i)), "k" + i + " lost across the build");
            }
        }
    }

    @Test
    void aFilterAtTheCapIsBuiltAgainWithoutTheKeysDeletedSince() throws Exception {
        Source source = new Source();
        try (Absence absence = new Absence(EnumSet.of(S), source, 16, 256, e -> { })) {
            absence.awaitBuild();
            // Churn: each new key replaces the one 10 before it, so the space never holds more than 10.
            for (int i = 0; i < 400; i++) {
                commit(source, absence, S, "k" + i);
                source.keys.get(S).remove("k" + (i - 10));
                absence.awaitBuild();
            }
            assertTrue(absence.builds() >= 2, "the filter never shed its deleted keys");
            Absence.Layers filter = absence.filter(S);
            assertNotNull(filter, "a space of 10 live keys lost its filter");
            for (int i = 390; i < 400; i++) {
                assertFalse(absence.absent(S, bytes("k" + i)), "live key k" + i + " reported absent");
            }
            int answered = 0;
            for (int i = 0; i < 100; i++) {
                answered += absence.absent(S, bytes("k" + i)) ? 1 : 0;
            }
            assertTrue(answered >= 50, "keys deleted before the last build are still in the filter: "
                    + answered + " of 100 answered");
        }
    }

    @Test
    void anUnderestimatedSpaceIsRebuiltFromItsCount() throws Exception {
        Source source = sourceWithKeys(500);
        source.estimate = 1;
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, e -> { })) {
            absence.awaitBuild();
            absence.awaitBuild();
            Absence.Layers filter = absence.filter(S);
            assertNotNull(filter, "500 keys found by a build sized for 64: not rebuilt");
            assertEquals(2_000, filter.capacity(), "sized from the 500 keys found, four times over");
            assertEquals(2, absence.builds());
            for (int i = 0; i < 500; i++) {
                assertFalse(absence.absent(S, bytes("k" + i)));
            }
        }
    }

    @Test
    void aSpaceNearTheCapGetsAFilterOfTheCap() throws Exception {
        Source source = sourceWithKeys(200);
        source.estimate = 200;
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, 256, e -> { })) {
            absence.awaitBuild();
            Absence.Layers filter = absence.filter(S);
            assertNotNull(filter, "200 keys under a cap of 256: no filter");
            assertEquals(256, filter.capacity(), "four times 200, capped");
            assertEquals(1, absence.builds());
        }
    }

    /** Keeping the saturated filter made every install start another build: awaitBuild never returned. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aSpaceThatOutgrowsTheCapGoesToTheDatabaseWithoutRebuildingAtEveryPut() throws Exception {
        Source source = new Source();
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, 256, e -> { })) {
            absence.awaitBuild();
            assertNotNull(absence.filter(S));
            for (int i = 0; i < 600; i++) {
                commit(source, absence, S, "k" + i);
                absence.awaitBuild();
            }
            assertNull(absence.filter(S), "a saturated filter kept past the cap");
            long builds = absence.builds();
            assertTrue(builds <= 4, "builds: " + builds);
            for (int i = 600; i < 700; i++) {
                commit(source, absence, S, "k" + i);
                absence.awaitBuild();
            }
            assertEquals(builds, absence.builds(), "rebuilt past the cap");
            assertFalse(absence.absent(S, bytes("never-committed")), "answered without a filter");
            assertFalse(absence.absent(S, bytes("k650")));
        }
    }

    @Test
    void capacitiesOutOfOrderAreRefused() {
        Source source = new Source();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Absence(EnumSet.of(S), source, 64, 32, e -> { }));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Absence(EnumSet.of(S), source, 64, Absence.MAX_CAPACITY + 1, e -> { }));
    }

    @Test
    void aFailedBuildKeepsReadsOnTheDatabaseAndIsReported() throws Exception {
        Source source = new Source();
        source.failure = new IllegalStateException("disk on fire");
        List<RuntimeException> failures = new ArrayList<>();
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, failures::add)) {
            absence.awaitBuild();
            assertNull(absence.filter(S));
            assertFalse(absence.absent(S, bytes("missing")), "answered without a filter");
            assertEquals(1, failures.size());
            assertSame(source.failure, failures.get(0));
            assertEquals(1, source.released, "a failed build's snapshot was not released");
        }
    }

    @Test
    void closeStopsARunningBuild() {
        Source source = sourceWithKeys(10);
        source.hold = new CountDownLatch(1);
        Absence absence = new Absence(EnumSet.of(S), source, 64, e -> { });
        Thread release = new Thread(source.hold::countDown);
        release.start();
        absence.close();
        assertEquals(1, source.released, "close returned before the build let go of its snapshot");
        assertNull(absence.filter(S), "a build finished after close was installed");
    }
}
