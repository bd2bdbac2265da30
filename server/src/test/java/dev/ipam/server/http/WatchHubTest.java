package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The hub builds an entry's events only when a watch needs them, and retains the same window either way. */
class WatchHubTest {
    private static final int BACKLOG = 16;

    private static WatchHub hub() {
        return hub(BACKLOG);
    }

    private static WatchHub hub(int backlog) {
        ApiConfig d = ApiConfig.defaults(0);
        ApiConfig config = new ApiConfig(d.host(), d.port(), d.bodyBytesMax(), d.jsonDepthMax(), d.listLimitMax(),
                d.watchesPerClientMax(), backlog, d.watchQueueMax(), d.watchBookmarkMs(), d.requestTimeoutMs(),
                d.workerThreads(), d.requestQueueMax(), d.connectionsMax(), d.idleTimeoutMs());
        return new WatchHub(config, Runnable::run);
    }

    private static WatchHub.Event event(long index, String name) {
        Project project = new Project(new ObjectMeta(name, "", "uid-" + name, index, 1, 0, null, null), null, null);
        return new WatchHub.Event(index, "MODIFIED", project, () -> null);
    }

    /** Counts builds, so a test can tell lazy from eager. */
    private static Supplier<List<WatchHub.Event>> counted(AtomicInteger builds, WatchHub.Event... events) {
        return () -> {
            builds.incrementAndGet();
            return List.of(events);
        };
    }

    private static final class Collecting implements WatchHub.Sink {
        final List<WatchHub.Event> got = new ArrayList<>();
        /** Each deliver call's events: one write to the client each. */
        final List<List<WatchHub.Event>> calls = new ArrayList<>();

        @Override
        public boolean deliver(List<WatchHub.Event> events) {
            got.addAll(events);
            calls.add(List.copyOf(events));
            return true;
        }

        @Override
        public boolean bookmark(long index) {
            return true;
        }

        @Override
        public void end(String why) {
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void whenReady(Runnable action) {
            action.run();
        }
    }

    @Test
    void withoutWatchesNothingIsBuiltUntilSomeoneSubscribes() {
        WatchHub hub = hub();
        hub.startAt(0);
        AtomicInteger builds = new AtomicInteger();
        WatchHub.Event first = event(1, "a");
        WatchHub.Event second = event(2, "a");
        hub.applied(1, counted(builds, first));
        hub.applied(2, counted(builds, second));
        assertEquals(0, builds.get());
        assertEquals(2, hub.latest());

        Collecting sink = new Collecting();
        Object watch = hub.subscribe(Kind.PROJECT, "", null, "c", false, 0, sink);
        assertEquals(2, builds.get());
        hub.release((WatchHub.Watch) watch);
        assertEquals(List.of(first, second), sink.got);

        // With a watch open, an entry is built at once and fanned out.
        WatchHub.Event third = event(3, "b");
        hub.applied(3, counted(builds, third));
        assertEquals(3, builds.get());
        assertEquals(List.of(first, second, third), sink.got);
    }

    @Test
    void unbuiltEntriesLeaveTheWindowWithoutBeingBuilt() {
        WatchHub hub = hub();
        hub.startAt(0);
        AtomicInteger builds = new AtomicInteger();
        for (long index = 1; index <= BACKLOG + 4; index++) {
            hub.applied(index, counted(builds, event(index, "o" + index)));
        }
        assertEquals(0, builds.get());
        assertEquals(4, hub.floor());
        assertEquals(WatchHub.Refusal.TOO_OLD, hub.subscribe(Kind.PROJECT, "", null, "c", false, 3, new Collecting()));
        assertEquals(BACKLOG, builds.get());
        Collecting sink = new Collecting();
        hub.release((WatchHub.Watch) hub.subscribe(Kind.PROJECT, "", null, "c", false, 4, sink));
        assertEquals(BACKLOG, sink.got.size());
        assertEquals(5, sink.got.get(0).index);
        assertEquals(BACKLOG, builds.get());
    }

    /**
     * A watcher that is behind gets its backlog in several writes; none of them splits an entry, whose
     * events share one resourceVersion. (A stream ended after a write that held half an entry would
     * leave the client resuming from that version without the other half.)
     */
    @Test
    void deliveriesNeverSplitTheEventsOfOneEntry() {
        WatchHub hub = hub(2_000);
        hub.startAt(0);
        Collecting sink = new Collecting();
        WatchHub.Watch watch = (WatchHub.Watch) hub.subscribe(Kind.PROJECT, "", null, "c", false, 0, sink);
        // Queued while the watch is held: singles up to just short of one delivery, then an entry of
        // 20 events that straddles the delivery bound, then more singles.
        long index = 0;
        List<WatchHub.Event> all = new ArrayList<>();
        for (int i = 0; i < WatchHub.DELIVERY_EVENTS - 6; i++) {
            index++;
            WatchHub.Event single = event(index, "s" + index);
            all.add(single);
            hub.applied(index, List.of(single));
        }
        index++;
        List<WatchHub.Event> wide = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            wide.add(event(index, "w" + i));
        }
        all.addAll(wide);
        hub.applied(index, wide);
        for (int i = 0; i < 300; i++) {
            index++;
            WatchHub.Event single = event(index, "t" + index);
            all.add(single);
            hub.applied(index, List.of(single));
        }
        hub.release(watch);

        assertEquals(all, sink.got);
        assertTrue(sink.calls.size() >= 2, "the backlog took several writes: " + sink.calls.size());
        for (int i = 0; i + 1 < sink.calls.size(); i++) {
            List<WatchHub.Event> call = sink.calls.get(i);
            long lastIndex = call.get(call.size() - 1).index;
            long nextIndex = sink.calls.get(i + 1).get(0).index;
            assertTrue(lastIndex < nextIndex, "write " + i + " ends inside the entry at index " + lastIndex);
        }
        // The wide entry went out in one write, which ran past the bound to finish it.
        assertEquals(WatchHub.DELIVERY_EVENTS + 14, sink.calls.get(0).size());
    }
}
