package dev.ipam.server.http;

import dev.ipam.core.Codec;
import dev.ipam.core.Reads;
import dev.ipam.core.Result;
import dev.ipam.core.model.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The watch verb: feeds the {@link WatchHub} from the replica's apply listener, opens watch streams
 * (from a resourceVersion, or from scratch with the current objects as ADDED), and runs the timer
 * behind bookmarks and {@code timeoutSeconds}.
 */
final class Watches {
    /** The most objects a watch from scratch sends as initial ADDED events (they are written at once). */
    static final int INITIAL_EVENTS_MAX = Reads.LIMIT_MAX;

    final WatchHub hub;
    private final Api api;
    private final Resources resources;
    private final ModelJson model;
    private final ScheduledExecutorService timer;

    Watches(Api api, Resources resources, ModelJson model) {
        this.api = api;
        this.resources = resources;
        this.model = model;
        this.hub = new WatchHub(api.config, api.workers);
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ipam-http-watch-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Registers with the replica and starts the ring at the index applied now. */
    void start() {
        api.replica.addApplyListener(this::applied);
        long appliedIndex = api.timed(api.replica.read(false, snapshot -> snapshot.appliedIndex())).join();
        hub.startAt(appliedIndex);
        long period = api.config.watchBookmarkMs();
        timer.scheduleAtFixedRate(hub::bookmarkAll, period, period, TimeUnit.MILLISECONDS);
    }

    void close() {
        timer.shutdownNow();
        hub.closeAll();
    }

    /**
     * On the apply thread: hands the hub the result's bytes; they are decoded into watch events
     * (JSON built lazily too) only when a watch is open or opens, not for every claim.
     */
    private void applied(long index, byte[] command, byte[] result) {
        hub.applied(index, () -> {
            Result decoded = Codec.decodeResult(result);
            List<WatchHub.Event> events = new ArrayList<>(decoded.changes().size());
            for (Result.Change change : decoded.changes()) {
                Resource object = change.object();
                events.add(new WatchHub.Event(index, change.type().name(), object, change.previous(),
                        () -> model.toJson(object)));
            }
            return events;
        });
    }

    void watch(Exchange ex, Target target) {
        Format format = Format.negotiate(ex.header("Accept"));
        Predicate<Resource> filter = resources.filter(ex, target.kind());
        boolean bookmarks = Resources.isTrue(ex.param("allowWatchBookmarks"));
        long timeoutSeconds = parseLong(ex.param("timeoutSeconds"), "timeoutSeconds", 0);
        ReadVersions.WatchStart start = ReadVersions.watch(ex, bookmarks);
        String namespace = target.kind().namespaced ? target.namespace() : "";
        if (!start.initialEvents()) {
            // From a version, or (sendInitialEvents=false without one) from now. Linearizable: the
            // version may come from another node, ahead of what this one has applied.
            resources.onWorker(ex, resources.read(start.linearizable(), target, s -> s.appliedIndex()),
                    applied -> open(ex, target, format, filter, bookmarks, timeoutSeconds, namespace,
                            start.version() > 0 ? start.version() : applied, List.of(), false));
            return;
        }
        // The current objects as ADDED (at least as new as the version asked for), then every change
        // after the index they were read at.
        resources.onWorker(ex, resources.read(start.linearizable(), target, s -> {
            List<Resource> all = new ArrayList<>();
            String continueKey = null;
            do {
                Reads.Page page = Reads.list(s.view(), target.kind().core, Resources.project(target), Resources.scopeNamespace(target),
                        Reads.LIMIT_MAX, continueKey, filter);
                all.addAll(page.items());
                continueKey = page.continueKey();
                if (all.size() > INITIAL_EVENTS_MAX || (all.size() == INITIAL_EVENTS_MAX && continueKey != null)) {
                    throw ApiException.tooMany("more than " + INITIAL_EVENTS_MAX + " objects to send before watching; "
                            + "list with limit/continue, then watch from the list's resourceVersion");
                }
            } while (continueKey != null);
            return new Initial(all, s.appliedIndex());
        }), initial -> open(ex, target, format, filter, bookmarks, timeoutSeconds, namespace, initial.appliedIndex(),
                initial.objects(), start.endBookmark()));
    }

    private record Initial(List<Resource> objects, long appliedIndex) {
    }

    private static long parseLong(String text, String name, long absent) {
        if (text == null || text.isEmpty()) {
            return absent;
        }
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw ApiException.badField(name, name + " must not be negative: " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badField(name, name + " must be an integer: " + text);
        }
    }

    private void open(Exchange ex, Target target, Format format, Predicate<Resource> filter, boolean bookmarks,
                      long timeoutSeconds, String namespace, long from, List<Resource> initial, boolean endBookmark) {
        WatchStream sink = new WatchStream(api.wire, target.kind(), format, filter, ex.param("includeObject"));
        Object opened = hub.subscribe(target.kind(), Resources.project(target), namespace, ex.limitKey(), bookmarks, from, sink);
        if (opened == WatchHub.Refusal.TOO_MANY) {
            throw ApiException.tooMany("too many open watches from " + ex.limitKey() + ": at most "
                    + api.config.watchesPerClientMax() + " (http.watchesPerClientMax)");
        }
        if (opened == WatchHub.Refusal.TOO_OLD) {
            throw new ApiException(410, "Expired", "too old resource version: " + from + " (" + hub.floor()
                    + "); the oldest change retained is after " + hub.floor() + " (http.watchBacklogMax)", List.of(),
                    null, null);
        }
        WatchHub.Watch watch = (WatchHub.Watch) opened;
        Exchange.Stream stream = ex.startStream(format == Format.TABLE ? Format.TABLE.contentType() : Wire.JSON);
        sink.attach(stream);
        stream.onClose(watch::close);
        List<WatchHub.Event> added = new ArrayList<>(initial.size());
        for (Resource resource : initial) {
            added.add(new WatchHub.Event(from, "ADDED", resource, () -> model.toJson(resource)));
        }
        if (!added.isEmpty() && !sink.deliver(added)) {
            watch.close();
            return;
        }
        // Before the hub is released: nothing after the initial state can come ahead of it.
        if (endBookmark && !sink.initialEventsEnd(from)) {
            watch.close();
            return;
        }
        if (timeoutSeconds > 0) {
            timer.schedule(() -> {
                watch.close();
                stream.end();
            }, timeoutSeconds, TimeUnit.SECONDS);
        }
        hub.release(watch);
    }

}
