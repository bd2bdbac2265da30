package dev.ipam.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.core.model.Resource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The recent change events of this node, in log order, and the open watches they are fanned out to.
 * Fed on the apply thread (cheap: events keep the core's objects and build their JSON lazily), read by
 * watches that resume from a resourceVersion: a watch from an index older than the retained window
 * gets 410, anything newer replays from the ring and then follows live. Each watch has a bounded
 * queue; a watcher that falls {@code watchQueueMax} events behind is ended (it re-watches from its
 * last resourceVersion, as client-go does).
 */
final class WatchHub {
    /** One change: the object after it (or its last state, for DELETED), at the log index that made it. */
    static final class Event {
        final long index;
        final String type;
        final Resource resource;
        final Kind kind;
        /**
         * For MODIFIED, the object before this change, from the core, when the change may have moved
         * it into or out of a selector (labels, phase); null when what a selector sees stayed the
         * same. It lets a selector watch turn "stopped matching" into DELETED and "started
         * matching" into ADDED, however long ago the object last changed.
         */
        final Resource previous;
        private final Supplier<ObjectNode> render;
        private ObjectNode object;

        Event(long index, String type, Resource resource, Supplier<ObjectNode> render) {
            this(index, type, resource, null, render);
        }

        Event(long index, String type, Resource resource, Resource previous, Supplier<ObjectNode> render) {
            this.index = index;
            this.type = type;
            this.resource = resource;
            this.previous = previous;
            this.kind = Kind.of(resource.kind());
            this.render = render;
        }

        String project() {
            return resource.project();
        }

        String namespace() {
            return resource.metadata().namespace();
        }

        /** The object's JSON, built once on first use; treat as read-only. */
        synchronized ObjectNode object() {
            if (object == null) {
                object = render.get();
            }
            return object;
        }
    }

    /** Where one watch's events go; called on a worker, one call at a time per watch. */
    interface Sink {
        /**
         * Delivers events (already filtered by kind, project and namespace); false ends the watch. The
         * events are whole entries: write them to the client at once, so that a stream the server ends
         * ends between entries.
         */
        boolean deliver(List<Event> events);

        /** Delivers a bookmark at the given index; false ends the watch. */
        boolean bookmark(long index);

        /** The watch is over (overflow, shutdown); end the stream. */
        void end(String why);

        /** Whether the client keeps up (its connection takes more now). */
        boolean ready();

        /** Runs {@code action} once the client has caught up. */
        void whenReady(Runnable action);
    }

    final class Watch {
        final Kind kind;
        final String project;
        final String namespace;
        final String client;
        final boolean bookmarks;
        final Sink sink;
        private final ArrayDeque<Event> queue = new ArrayDeque<>();
        private long bookmarkAt = -1;
        private boolean draining;
        private boolean closed;

        Watch(Kind kind, String project, String namespace, String client, boolean bookmarks, Sink sink) {
            this.kind = kind;
            this.project = project;
            this.namespace = namespace;
            this.client = client;
            this.bookmarks = bookmarks;
            this.sink = sink;
        }

        boolean wants(Event event) {
            return event.kind == kind && event.project().equals(project)
                    && (namespace == null || namespace.equals(event.namespace()));
        }

        /** Stops the watch; its client's slot is freed. Idempotent. */
        void close() {
            synchronized (WatchHub.this) {
                if (closed) {
                    return;
                }
                closed = true;
                queue.clear();
                watches.remove(this);
                Integer count = perClient.get(client);
                if (count != null && count <= 1) {
                    perClient.remove(client);
                } else if (count != null) {
                    perClient.put(client, count - 1);
                }
            }
        }
    }

    /**
     * Events handed to a watch's sink in one call, at least: one call is one write to the client, and
     * it is stretched to the end of the last entry it takes.
     */
    static final int DELIVERY_EVENTS = 256;

    private final int backlogMax;
    private final int queueMax;
    private final int perClientMax;
    private final Executor workers;
    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    private final Set<Watch> watches = new LinkedHashSet<>();
    private final Map<String, Integer> perClient = new HashMap<>();
    /** Events at or below this index are no longer retained. */
    private long floor;
    /** Whether floor is known: set by the first entry heard of or by {@link #startAt}, whichever comes first. */
    private boolean started;
    /** The last applied index this hub has heard of. */
    private long latest;

    WatchHub(ApiConfig config, Executor workers) {
        this.backlogMax = config.watchBacklogMax();
        this.queueMax = config.watchQueueMax();
        this.perClientMax = config.watchesPerClientMax();
        this.workers = workers;
    }

    /** Sets where history starts (the applied index when the server started). */
    synchronized void startAt(long appliedIndex) {
        if (!started) {
            started = true;
            floor = appliedIndex;
            latest = Math.max(latest, appliedIndex);
        }
    }

    synchronized long latest() {
        return latest;
    }

    synchronized long floor() {
        return floor;
    }

    synchronized int open() {
        return watches.size();
    }

    /**
     * An applied entry whose events are not built yet. While no watch is open nobody needs the
     * events now, so the apply thread only queues the result's bytes (behind a supplier) and the
     * decoding happens on the thread of the next subscriber, or not at all if the entry leaves the
     * retained window first. Kept in log order, always newer than everything in {@code ring}.
     */
    private record Pending(long index, Supplier<List<Event>> events) {
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    /** Called on the apply thread for every applied entry, with its events (maybe none). */
    void applied(long index, List<Event> events) {
        applied(index, () -> events);
    }

    /**
     * Called on the apply thread for every applied entry; {@code events} builds its events (maybe
     * none) and is called at most once, on this thread when a watch is open, else lazily.
     */
    void applied(long index, Supplier<List<Event>> events) {
        List<Watch> toDrain = new ArrayList<>();
        synchronized (this) {
            if (!started) {
                started = true;
                floor = index - 1;
            }
            if (index < latest) {
                // Log order is monotonic: an older index is a replay this node has already fanned out.
                return;
            }
            latest = Math.max(latest, index);
            if (watches.isEmpty()) {
                pending.addLast(new Pending(index, events));
                // ring + pending stay within backlogMax (a pending entry counts once, its events are
                // trimmed to the bound when built): the oldest goes first, the ring before pending.
                while (ring.size() + pending.size() > backlogMax) {
                    if (!ring.isEmpty()) {
                        evictOldest();
                    } else {
                        floor = pending.removeFirst().index;
                    }
                }
                return;
            }
            buildPending();
            List<Event> built = events.get();
            for (Event event : built) {
                retain(event);
            }
            for (Watch watch : watches) {
                boolean added = false;
                for (Event event : built) {
                    if (watch.wants(event) && watch.queue.size() <= queueMax) {
                        watch.queue.addLast(event);
                        added = true;
                    }
                }
                if (added) {
                    toDrain.add(watch);
                }
            }
        }
        toDrain.forEach(this::schedule);
    }

    /** Builds the events of every pending entry, in log order, into the ring. Holds the lock. */
    private void buildPending() {
        while (!pending.isEmpty()) {
            for (Event event : pending.removeFirst().events().get()) {
                retain(event);
            }
        }
    }

    /** Adds an event to the ring. Holds the lock. */
    private void retain(Event event) {
        ring.addLast(event);
        while (ring.size() > backlogMax) {
            evictOldest();
        }
    }

    private void evictOldest() {
        Event evicted = ring.removeFirst();
        floor = evicted.index;
    }

    /** Why a watch could not start. */
    enum Refusal { TOO_OLD, TOO_MANY }

    /**
     * Opens a watch that sees every matching event after {@code fromIndex}. Returns the watch, or a
     * refusal when that index is older than the retained window or the client has too many watches.
     */
    Object subscribe(Kind kind, String project, String namespace, String client, boolean bookmarks, long fromIndex,
                     Sink sink) {
        Watch watch = new Watch(kind, project, namespace, client, bookmarks, sink);
        synchronized (this) {
            int count = perClient.getOrDefault(client, 0);
            if (count >= perClientMax) {
                return Refusal.TOO_MANY;
            }
            buildPending();
            if (fromIndex < floor) {
                return Refusal.TOO_OLD;
            }
            for (Event event : ring) {
                if (event.index > fromIndex && watch.wants(event)) {
                    if (watch.queue.size() == queueMax) {
                        return Refusal.TOO_OLD;
                    }
                    watch.queue.addLast(event);
                }
            }
            perClient.put(client, count + 1);
            watches.add(watch);
            // Held until release(): the caller writes the response head and initial events first.
            watch.draining = true;
        }
        return watch;
    }

    /** Lets a watch opened by {@link #subscribe} start receiving what it has queued and what follows. */
    void release(Watch watch) {
        synchronized (this) {
            watch.draining = false;
        }
        schedule(watch);
    }

    /** Queues a bookmark at the latest index on every watch that asked for them. */
    void bookmarkAll() {
        List<Watch> toDrain = new ArrayList<>();
        synchronized (this) {
            for (Watch watch : watches) {
                if (watch.bookmarks) {
                    watch.bookmarkAt = latest;
                    toDrain.add(watch);
                }
            }
        }
        toDrain.forEach(this::schedule);
    }

    /** Ends every watch (server shutdown). */
    void closeAll() {
        List<Watch> all;
        synchronized (this) {
            all = new ArrayList<>(watches);
        }
        for (Watch watch : all) {
            watch.close();
            watch.sink.end("server shutting down");
        }
    }

    private void schedule(Watch watch) {
        synchronized (this) {
            if (watch.draining || watch.closed) {
                return;
            }
            watch.draining = true;
        }
        try {
            workers.execute(() -> drain(watch));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            watch.close();
            watch.sink.end("server busy");
        }
    }

    /** Sends what the watch has queued, one worker at a time per watch. */
    private void drain(Watch watch) {
        while (true) {
            List<Event> batch;
            long bookmark;
            boolean overflow;
            boolean wait = false;
            synchronized (this) {
                overflow = watch.queue.size() > queueMax;
                boolean idle = watch.queue.isEmpty() && watch.bookmarkAt < 0;
                if (!watch.closed && !overflow && !idle && !watch.sink.ready()) {
                    // The client is behind: leave the events queued (bounded by watchQueueMax) until it drains.
                    watch.draining = false;
                    wait = true;
                    batch = List.of();
                    bookmark = -1;
                } else if (watch.closed || overflow || idle) {
                    watch.draining = false;
                    if (!overflow) {
                        return;
                    }
                    batch = List.of();
                    bookmark = -1;
                } else {
                    batch = new ArrayList<>(Math.min(watch.queue.size(), DELIVERY_EVENTS));
                    // Whole entries only: the events of one entry share its index as their
                    // resourceVersion, so a stream ended between two of them (timeoutSeconds, overflow,
                    // shutdown) would leave a client that resumes from that version without the rest.
                    while (!watch.queue.isEmpty() && (batch.size() < DELIVERY_EVENTS
                            || watch.queue.peekFirst().index == batch.get(batch.size() - 1).index)) {
                        batch.add(watch.queue.removeFirst());
                    }
                    bookmark = watch.queue.isEmpty() ? watch.bookmarkAt : -1;
                    if (bookmark >= 0) {
                        watch.bookmarkAt = -1;
                    }
                }
            }
            if (wait) {
                watch.sink.whenReady(() -> schedule(watch));
                return;
            }
            if (overflow) {
                watch.close();
                watch.sink.end("watcher fell more than " + queueMax + " events behind (http.watchQueueMax)");
                return;
            }
            boolean ok = batch.isEmpty() || watch.sink.deliver(batch);
            if (ok && bookmark >= 0) {
                ok = watch.sink.bookmark(bookmark);
            }
            if (!ok) {
                watch.close();
                watch.sink.end("client gone");
                return;
            }
        }
    }
}
