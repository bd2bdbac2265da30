package dev.ipam.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.model.ObjectList;
import dev.ipam.client.model.Status;
import dev.ipam.client.model.WatchEvent;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A running watch: a thread that streams {@code ?watch=true&resourceVersion=N} from one node,
 * reconnects (failing over to other nodes) from the last version seen when the stream ends, and
 * re-lists when the server answers 410 Gone. Close it to stop.
 */
public final class Watch<T> implements AutoCloseable {
    private final ResourceClient<T> resources;
    private final ListOptions options;
    private final WatchListener<T> listener;
    private final ClientConfig config;
    private final Map<String, T> known = new LinkedHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile InputStream current;
    private volatile String resourceVersion;
    /**
     * Whether {@link #resourceVersion} came from an event (not a list or a bookmark). Commands that
     * ipamd batched into one Raft entry share its index as their version, so a stream that ended after
     * an event may have ended inside an entry: the watch then resumes one version back and drops the
     * events of that version it has already delivered.
     */
    private boolean fromEvent;
    /** The version of the last event delivered, and how many times each object changed at it. */
    private long deliveredAt = -1;
    private final Map<String, Integer> deliveredAtLast = new java.util.HashMap<>();
    /** On a stream resumed one version back: the events at {@link #deliveredAt} still to drop, by object. */
    private final Map<String, Integer> toDrop = new java.util.HashMap<>();
    private volatile int relists;
    private volatile long lastActivityNs = System.nanoTime();
    private final Timer watchdog;

    /** How one connection ended. */
    private enum Outcome {
        /** No node could be reached, or it answered 5xx: counts toward watchReconnectsMax. */
        FAILED,
        /** Connected, but the stream ended (or went silent) before a single line. */
        QUIET,
        /** Connected and received events or bookmarks. */
        PROGRESSED
    }

    Watch(ResourceClient<T> resources, ListOptions options, WatchListener<T> listener, ClientConfig config) {
        this.resources = resources;
        this.options = options;
        this.listener = listener;
        this.config = config;
        this.resourceVersion = options.resourceVersion();
        this.thread = new Thread(this::run, "ipam-watch-" + resources.kind().plural());
        this.thread.setDaemon(true);
        this.watchdog = new Timer("ipam-watch-idle-" + resources.kind().plural(), true);
    }

    void start() {
        long periodMs = Math.max(10, config.watchIdleMs() / 4);
        watchdog.schedule(new TimerTask() {
            @Override
            public void run() {
                dropIfIdle();
            }
        }, periodMs, periodMs);
        thread.start();
    }

    /** A stream silent for longer than watchIdleMs is closed, so the reader reconnects (maybe elsewhere). */
    private void dropIfIdle() {
        InputStream stream = current;
        if (stream != null && System.nanoTime() - lastActivityNs > config.watchIdleMs() * 1_000_000L) {
            lastActivityNs = System.nanoTime();
            closeQuietly(stream);
        }
    }

    /** The last resourceVersion seen (events and bookmarks), where a reconnect resumes. */
    public String resourceVersion() {
        return resourceVersion;
    }

    /** How many times the watch re-listed because its version was too old (410 Gone). */
    public int relists() {
        return relists;
    }

    /** Whether the watch thread is still running. */
    public boolean running() {
        return stopped.getCount() > 0;
    }

    /** Waits up to the given time for the watch to stop (after an error or {@link #close()}). */
    public boolean awaitStopped(long timeoutMs) throws InterruptedException {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Stops the watch; no event is delivered after this returns on the watch thread's next step. */
    @Override
    public void close() {
        closed = true;
        watchdog.cancel();
        closeQuietly(current);
        thread.interrupt();
    }

    private void run() {
        try {
            if (resourceVersion == null) {
                relist();
            }
            int failures = 0;
            while (!closed) {
                Outcome outcome = streamOnce();
                failures = outcome == Outcome.FAILED ? failures + 1 : 0;
                if (failures > config.watchReconnectsMax()) {
                    throw new IpamException(IpamException.Reason.UNAVAILABLE, "watch of " + resources.kind().plural()
                            + " failed to reconnect " + failures + " times in a row (watchReconnectsMax="
                            + config.watchReconnectsMax() + ")", null);
                }
                if (outcome != Outcome.PROGRESSED && !closed) {
                    pause();
                }
            }
        } catch (IpamException e) {
            if (!closed) {
                listener.onError(e);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                listener.onError(new IpamException(IpamException.Reason.INTERNAL, "watch failed: " + e, e));
            }
        } finally {
            watchdog.cancel();
            stopped.countDown();
        }
    }

    /** One connection, from open to the end of its stream. */
    private Outcome streamOnce() {
        Map<String, String> query = Transport.query();
        options.withLimit(null).withContinue(null).addTo(query);
        query.put("watch", "true");
        toDrop.clear();
        String from = resourceVersion;
        if (fromEvent && deliveredAt > 0 && Long.toString(deliveredAt).equals(resourceVersion)) {
            from = Long.toString(deliveredAt - 1);
            toDrop.putAll(deliveredAtLast);
        }
        query.put("resourceVersion", from);
        query.put("allowWatchBookmarks", "true");
        Transport.Stream stream;
        try {
            stream = resources.transport().open(Transport.Call.get(resources.collectionPath(), query));
        } catch (IpamException e) {
            if (e.reason() != IpamException.Reason.UNAVAILABLE || closed) {
                throw e;
            }
            return Outcome.FAILED;
        }
        lastActivityNs = System.nanoTime();
        current = stream.body();
        if (closed) {
            closeQuietly(stream.body());
            return Outcome.QUIET;
        }
        if (stream.code() == 410) {
            closeQuietly(stream.body());
            relist();
            return Outcome.PROGRESSED;
        }
        if (stream.code() == 502 || stream.code() == 503 || stream.code() == 504) {
            closeQuietly(stream.body());
            return Outcome.FAILED;
        }
        if (stream.code() != 200) {
            byte[] body = readRest(stream);
            throw new Transport.Answer(stream.code(), body, stream.endpoint(), 1).error();
        }
        Outcome outcome = Outcome.QUIET;
        try (InputStream in = new BufferedInputStream(stream.body())) {
            while (!closed) {
                byte[] line = readLine(in);
                if (line == null) {
                    return outcome;
                }
                lastActivityNs = System.nanoTime();
                if (line.length == 0) {
                    continue;
                }
                outcome = Outcome.PROGRESSED;
                if (!handle(line)) {
                    return outcome;
                }
            }
        } catch (IOException e) {
            // The node went away mid-stream (or the stream went silent): reconnect from resourceVersion.
            return outcome;
        }
        return outcome;
    }

    /** Handles one event line; false when the stream must be reopened (after a re-list). */
    private boolean handle(byte[] line) {
        JsonNode event;
        try {
            event = Codec.JSON.readTree(line);
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.INTERNAL, "unreadable watch event: " + e.getMessage(), e);
        }
        String type = event.path("type").asText("");
        JsonNode object = event.path("object");
        if (WatchEvent.ERROR.equals(type)) {
            Status status = Codec.convert(object, Status.class);
            int code = status.code() == null ? 500 : status.code();
            if (code == 410) {
                relist();
                return false;
            }
            throw IpamException.fromStatus(code, status, "watch error");
        }
        String version = object.path("metadata").path("resourceVersion").asText(null);
        if (WatchEvent.BOOKMARK.equals(type)) {
            if (version != null && !version.isEmpty()) {
                resourceVersion = version;
                fromEvent = false;
            }
            return true;
        }
        String key = key(object);
        if (alreadyDelivered(version, key)) {
            return true;
        }
        if (version != null && !version.isEmpty()) {
            resourceVersion = version;
            fromEvent = true;
        }
        T value = resources.convert(object);
        if (WatchEvent.DELETED.equals(type)) {
            known.remove(key);
        } else {
            remember(key, value);
        }
        listener.onEvent(new WatchEvent<>(type, value, version));
        return true;
    }

    /**
     * Whether this event is one the watch delivered before it resumed one version back (see
     * {@link #fromEvent}); otherwise counts it as delivered at its version.
     */
    private boolean alreadyDelivered(String version, String key) {
        long at;
        try {
            at = version == null ? -1 : Long.parseLong(version);
        } catch (NumberFormatException e) {
            at = -1;
        }
        if (at == deliveredAt && at >= 0) {
            Integer left = toDrop.get(key);
            if (left != null) {
                if (left <= 1) {
                    toDrop.remove(key);
                } else {
                    toDrop.put(key, left - 1);
                }
                return true;
            }
        } else {
            deliveredAt = at;
            deliveredAtLast.clear();
            toDrop.clear();
        }
        deliveredAtLast.merge(key, 1, Integer::sum);
        return false;
    }

    /**
     * Lists from scratch and tells the listener the difference from what it saw: ADDED for new
     * objects, MODIFIED for changed ones, DELETED for ones that vanished while we could not watch.
     */
    private void relist() {
        boolean initial = resourceVersion == null;
        if (!initial) {
            relists++;
        }
        Map<String, T> before = new LinkedHashMap<>(known);
        known.clear();
        ObjectList<JsonNode> page;
        String token = null;
        String listVersion = null;
        do {
            page = resources.listRaw(options.withResourceVersion(null).withContinue(token));
            if (listVersion == null) {
                listVersion = page.resourceVersion();
            }
            for (JsonNode item : page.itemsOrEmpty()) {
                String key = key(item);
                T value = resources.convert(item);
                T old = before.remove(key);
                remember(key, value);
                String version = item.path("metadata").path("resourceVersion").asText(null);
                if (old == null) {
                    listener.onEvent(new WatchEvent<>(WatchEvent.ADDED, value, version));
                } else if (!Codec.tree(old).path("metadata").path("resourceVersion").asText("").equals(version)) {
                    listener.onEvent(new WatchEvent<>(WatchEvent.MODIFIED, value, version));
                }
            }
            token = page.continueToken();
        } while (token != null && !closed);
        for (T gone : before.values()) {
            listener.onEvent(new WatchEvent<>(WatchEvent.DELETED, gone, listVersion));
        }
        resourceVersion = listVersion == null ? "0" : listVersion;
        fromEvent = false;
        deliveredAt = -1;
        deliveredAtLast.clear();
        toDrop.clear();
    }

    /** A pause before reconnecting when no node answered, so a long outage does not spin. */
    private void pause() {
        try {
            Thread.sleep(config.backoffMaxMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void remember(String key, T value) {
        if (!known.containsKey(key) && known.size() >= config.listItemsMax()) {
            throw new IpamException(IpamException.Reason.TOO_LARGE, "watch of " + resources.kind().plural()
                    + " tracks more than listItemsMax=" + config.listItemsMax() + " objects; narrow it with selectors", null);
        }
        known.put(key, value);
    }

    private static String key(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return metadata.path("namespace").asText("") + "/" + metadata.path("name").asText("");
    }

    private byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return line.toByteArray();
            }
            if (line.size() >= config.watchEventBytesMax()) {
                throw new IpamException(IpamException.Reason.TOO_LARGE, "a watch event of " + resources.kind().plural()
                        + " exceeds watchEventBytesMax=" + config.watchEventBytesMax(), null);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private byte[] readRest(Transport.Stream stream) {
        try {
            return Transport.readLimited(stream.body(), config.watchEventBytesMax(), stream.endpoint());
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Closes a stream to unblock its reader; a failure to close leaves nothing to undo. */
    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException abandoned) {
            // Closing only unblocks the reader: the stream is abandoned either way.
        }
    }
}
