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
    void rebuildsOnceSaturatedSizedFromTheKeysFound() throws Exception {
        Source source = new Source();
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, e -> { })) {
            absence.awaitBuild();
            KeyFilter first = absence.filter(S);
            assertEquals(64, first.capacity());
            for (int i = 0; i < 200; i++) {
                commit(source, absence, S, "k" + i);
            }
            absence.awaitBuild();
            assertTrue(absence.builds() >= 2, "no rebuild after saturation");
            KeyFilter later = absence.filter(S);
            // Sized for GROWTH times the keys it expected (at least the 65 that saturated the first).
            assertTrue(later != first && later.capacity() >= 4 * 65, "capacity " + later.capacity());
            for (int i = 0; i < 200; i++) {
                assertFalse(absence.absent(S, bytes("k" + i)), "k" + i + " lost across rebuilds");
            }
        }
    }

    @Test
    void anUnderestimatedSpaceIsRebuiltFromItsCount() throws Exception {
        Source source = sourceWithKeys(500);
        source.estimate = 1;
        try (Absence absence = new Absence(EnumSet.of(S), source, 64, e -> { })) {
            absence.awaitBuild();
            absence.awaitBuild();
            KeyFilter filter = absence.filter(S);
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
            KeyFilter filter = absence.filter(S);
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
