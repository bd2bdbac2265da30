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
    private volatile int relists;

    Watch(ResourceClient<T> resources, ListOptions options, WatchListener<T> listener, ClientConfig config) {
        this.resources = resources;
        this.options = options;
        this.listener = listener;
        this.config = config;
        this.resourceVersion = options.resourceVersion();
        this.thread = new Thread(this::run, "ipam-watch-" + resources.kind().plural());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
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
        InputStream stream = current;
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // Closing only unblocks the reader; a failure to close leaves nothing to undo.
                stream = null;
            }
        }
        thread.interrupt();
    }

    private void run() {
        try {
            if (resourceVersion == null) {
                relist();
            }
            int quietReconnects = 0;
            while (!closed) {
                boolean progressed = streamOnce();
                quietReconnects = progressed ? 0 : quietReconnects + 1;
                if (quietReconnects > config.watchReconnectsMax()) {
                    throw new IpamException(IpamException.Reason.UNAVAILABLE, "watch of " + resources.kind().plural()
                            + " reconnected " + quietReconnects + " times without an event (watchReconnectsMax="
                            + config.watchReconnectsMax() + ")", null);
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
            stopped.countDown();
        }
    }

    /** One connection: returns whether anything arrived (an event or a bookmark). */
    private boolean streamOnce() {
        Map<String, String> query = Transport.query();
        options.withLimit(null).withContinue(null).addTo(query);
        query.put("watch", "true");
        query.put("resourceVersion", resourceVersion);
        query.put("allowWatchBookmarks", "true");
        Transport.Stream stream;
        try {
            stream = resources.transport().open(Transport.Call.get(resources.collectionPath(), query));
        } catch (IpamException e) {
            if (e.reason() != IpamException.Reason.UNAVAILABLE || closed) {
                throw e;
            }
            pause();
            return false;
        }
        current = stream.body();
        if (closed) {
            closeQuietly(stream.body());
            return false;
        }
        if (stream.code() == 410) {
            closeQuietly(stream.body());
            relist();
            return true;
        }
        if (stream.code() == 502 || stream.code() == 503 || stream.code() == 504) {
            closeQuietly(stream.body());
            pause();
            return false;
        }
        if (stream.code() != 200) {
            byte[] body = readRest(stream);
            throw new Transport.Answer(stream.code(), body, stream.endpoint(), 1).error();
        }
        boolean progressed = false;
        try (InputStream in = new BufferedInputStream(stream.body())) {
            while (!closed) {
                byte[] line = readLine(in);
                if (line == null) {
                    return progressed;
                }
                if (line.length == 0) {
                    continue;
                }
                progressed = true;
                if (!handle(line)) {
                    return true;
                }
            }
        } catch (IOException e) {
            // The node went away mid-stream: reconnect (to another node if need be) from resourceVersion.
            return progressed;
        }
        return progressed;
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
        if (version != null && !version.isEmpty()) {
            resourceVersion = version;
        }
        if (WatchEvent.BOOKMARK.equals(type)) {
            return true;
        }
        T value = resources.convert(object);
        String key = key(object);
        if (WatchEvent.DELETED.equals(type)) {
            known.remove(key);
        } else {
            remember(key, value);
        }
        listener.onEvent(new WatchEvent<>(type, value, version));
        return true;
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

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Nothing to recover: the stream is abandoned either way.
            in = null;
        }
    }
}
