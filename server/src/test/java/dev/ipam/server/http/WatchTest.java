package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static dev.ipam.server.http.Fixture.POOLS;
import static dev.ipam.server.http.Fixture.claim;
import static dev.ipam.server.http.Fixture.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Watches over real HTTP: resume from a resourceVersion, 410 past the window, bookmarks, limits. */
class WatchTest {
    Fixture api;
    final List<Watching> open = new ArrayList<>();

    @AfterEach
    void stop() {
        open.forEach(Watching::close);
        if (api != null) {
            api.close();
        }
    }

    /** A watch response read line by line on its own thread. */
    final class Watching implements AutoCloseable {
        final int code;
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        final InputStream body;
        final Thread reader;

        Watching(String path, String accept) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(path)).GET();
            if (accept != null) {
                request.header("Accept", accept);
            }
            HttpResponse<InputStream> response = api.http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            code = response.statusCode();
            body = response.body();
            reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (!line.isBlank()) {
                            events.add(Fixture.JSON.readTree(line));
                        }
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            }, "watch-reader");
            reader.setDaemon(true);
            reader.start();
            open.add(this);
        }

        /** The next event, waiting at most 10 s. */
        JsonNode next() throws InterruptedException {
            JsonNode event = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "no watch event within 10 s");
            return event;
        }

        /** The next event that is not a bookmark. */
        JsonNode nextChange() throws InterruptedException {
            for (int i = 0; i < 100; i++) {
                JsonNode event = next();
                if (!event.path("type").asText().equals("BOOKMARK")) {
                    return event;
                }
            }
            throw new AssertionError("only bookmarks");
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private static String name(JsonNode event) {
        return event.path("object").path("metadata").path("name").asText();
    }

    @Test
    void watchFromAListSeesEveryChangeInOrder() throws Exception {
        api = new Fixture();
        api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4"));
        api.post(CLAIMS, claim("c1", "web", 28));
        String rv = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asText();
        Watching watch = new Watching(CLAIMS + "?watch=true&resourceVersion=" + rv, null);
        assertEquals(200, watch.code);
        api.post(CLAIMS, claim("c2", "web", 28));
        api.call("PATCH", CLAIMS + "/c1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
        api.delete(CLAIMS + "/c2");
        JsonNode added = watch.nextChange();
        assertEquals("ADDED", added.path("type").asText());
        assertEquals("c2", name(added));
        assertEquals("Bound", added.path("object").path("status").path("phase").asText(), "one ADDED, already Bound");
        JsonNode modified = watch.nextChange();
        assertEquals("MODIFIED", modified.path("type").asText());
        assertEquals("c1", name(modified));
        JsonNode last = watch.nextChange();
        while (!last.path("type").asText().equals("DELETED")) {
            last = watch.nextChange();
        }
        assertEquals("c2", name(last));
        long addedRv = Long.parseLong(added.path("object").path("metadata").path("resourceVersion").asText());
        long modifiedRv = Long.parseLong(modified.path("object").path("metadata").path("resourceVersion").asText());
        assertTrue(addedRv < modifiedRv, "log order");

        // A second watch from the same resourceVersion replays the same changes from the ring.
        Watching replay = new Watching(CLAIMS + "?watch=1&resourceVersion=" + rv, null);
        assertEquals("c2", name(replay.nextChange()));
        assertEquals("c1", name(replay.nextChange()));
    }

    @Test
    void watchWithoutAVersionStartsWithTheCurrentObjects() throws Exception {
        api = new Fixture();
        api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4"));
        api.post(CLAIMS, claim("c1", "web", 28));
        api.post(CLAIMS, claim("c2", "web", 28));
        Watching watch = new Watching(CLAIMS + "?watch=true&labelSelector=app%3Dc2", null);
        JsonNode first = watch.nextChange();
        assertEquals("ADDED", first.path("type").asText());
        assertEquals("c2", name(first));
        api.post(CLAIMS, claim("c3", "web", 28));
        api.call("PATCH", CLAIMS + "/c2", "application/merge-patch+json", "{\"metadata\":{\"annotations\":{\"a\":\"b\"}}}");
        JsonNode next = watch.nextChange();
        assertEquals("MODIFIED", next.path("type").asText(), "c3 does not match the selector");
        assertEquals("c2", name(next));
        // Relabelling moves objects in and out of the selector: ADDED and DELETED as this watch sees them.
        api.call("PATCH", CLAIMS + "/c1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"c2\"}}}");
        JsonNode joined = watch.nextChange();
        assertEquals("ADDED", joined.path("type").asText());
        assertEquals("c1", name(joined));
        api.call("PATCH", CLAIMS + "/c2", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"x\"}}}");
        JsonNode left = watch.nextChange();
        assertEquals("DELETED", left.path("type").asText());
        assertEquals("c2", name(left));
    }

    /**
     * A change that takes an object out of a selector is DELETED for that watch even when the
     * object's previous change has long left the retained window (the window holds about a second
     * of changes under load).
     */
    @Test
    void anObjectLeavingTheSelectorLongAfterItsLastChangeIsDeleted() throws Exception {
        api = new Fixture(ApiConfig.defaults(0).withWatchBacklogMax(16));
        api.post(POOLS, pool("web", "10.0.0.0/16", "IPv4"));
        api.post(CLAIMS, claim("keep", "web", 28));
        Watching watch = new Watching(CLAIMS + "?watch=true&labelSelector=app%3Dkeep", null);
        assertEquals("ADDED", watch.nextChange().path("type").asText());
        for (int i = 0; i < 12; i++) {
            api.post(CLAIMS, claim("other" + i, "web", 28));
        }
        api.call("PATCH", CLAIMS + "/keep", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"gone\"}}}");
        JsonNode left = watch.nextChange();
        assertEquals("DELETED", left.path("type").asText());
        assertEquals("keep", name(left));
        // And back in: ADDED, though nothing of its history is retained.
        for (int i = 12; i < 24; i++) {
            api.post(CLAIMS, claim("other" + i, "web", 28));
        }
        api.call("PATCH", CLAIMS + "/keep", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"keep\"}}}");
        JsonNode back = watch.nextChange();
        assertEquals("ADDED", back.path("type").asText());
        assertEquals("keep", name(back));
    }

    /** A watch for exhausted pools sees a pool join when it fills and leave when a block is freed. */
    @Test
    void aPhaseSelectorFollowsAPoolInAndOutOfExhausted() throws Exception {
        api = new Fixture(ApiConfig.defaults(0).withWatchBacklogMax(16));
        api.post(POOLS, pool("small", "10.1.0.0/28", "IPv4"));
        api.post(POOLS, pool("big", "10.0.0.0/16", "IPv4"));
        Watching watch = new Watching(POOLS + "?watch=true&fieldSelector=status.phase%3DExhausted", null);
        api.post(CLAIMS, claim("fill", "small", 28));
        JsonNode full = watch.nextChange();
        assertEquals("ADDED", full.path("type").asText());
        assertEquals("small", name(full));
        for (int i = 0; i < 12; i++) {
            api.post(CLAIMS, claim("other" + i, "big", 28));
        }
        api.call("DELETE", CLAIMS + "/fill", null, null);
        JsonNode freed = watch.nextChange();
        assertEquals("DELETED", freed.path("type").asText());
        assertEquals("small", name(freed));
        assertEquals("Ready", freed.path("object").path("status").path("phase").asText());
    }

    /**
     * The watch-list protocol (client-go's WatchListClient): sendInitialEvents=true gives the current
     * objects as ADDED, then a bookmark annotated k8s.io/initial-events-end at their version, then the
     * changes after it.
     */
    @Test
    void sendInitialEventsEndsTheInitialStateWithAnAnnotatedBookmark() throws Exception {
        api = new Fixture();
        api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4"));
        api.post(CLAIMS, claim("c1", "web", 28));
        api.post(CLAIMS, claim("c2", "web", 28));
        Watching watch = new Watching(CLAIMS + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                + "&allowWatchBookmarks=true", null);
        assertEquals(200, watch.code);
        assertEquals("c1", name(watch.next()));
        assertEquals("c2", name(watch.next()));
        JsonNode end = watch.next();
        assertEquals("BOOKMARK", end.path("type").asText());
        assertEquals("true", end.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end").asText());
        long at = end.path("object").path("metadata").path("resourceVersion").asLong();
        api.post(CLAIMS, claim("c3", "web", 28));
        JsonNode next = watch.nextChange();
        assertEquals("ADDED", next.path("type").asText());
        assertEquals("c3", name(next));
        assertTrue(next.path("object").path("metadata").path("resourceVersion").asLong() > at);

        // sendInitialEvents=false without a version: from now on, nothing of the current state.
        Watching fromNow = new Watching(CLAIMS + "?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan",
                null);
        api.post(CLAIMS, claim("c4", "web", 28));
        assertEquals("c4", name(fromNow.nextChange()));
    }

    /** The list options Kubernetes forbids together are refused as it refuses them, naming the field. */
    @Test
    void watchListOptionsAreCheckedAsKubernetesChecksThem() throws Exception {
        api = new Fixture();
        String[][] refused = {
            {"?watch=true&sendInitialEvents=true&allowWatchBookmarks=true", "resourceVersionMatch"},
            {"?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", "allowWatchBookmarks"},
            {"?watch=true&resourceVersionMatch=NotOlderThan", "resourceVersionMatch"},
            {"?watch=true&sendInitialEvents=maybe&resourceVersionMatch=NotOlderThan", "sendInitialEvents"},
            {"?sendInitialEvents=true", "sendInitialEvents"},
            {"?resourceVersionMatch=Exact", "resourceVersionMatch"},
            {"?resourceVersion=0&resourceVersionMatch=Exact", "resourceVersionMatch"},
            {"?resourceVersion=5&resourceVersionMatch=Newest", "resourceVersionMatch"},
            {"?resourceVersion=five", "resourceVersion"},
        };
        for (String[] query : refused) {
            Fixture.Reply reply = api.get(CLAIMS + query[0]);
            assertTrue(reply.code() == 422 || reply.code() == 400, query[0] + ": " + reply);
            assertEquals(query[1], reply.json().path("details").path("causes").get(0).path("field").asText(),
                    query[0] + ": " + reply.body());
        }
    }

    @Test
    void tableWatchesCarryRows() throws Exception {
        api = new Fixture();
        api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4"));
        String rv = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asText();
        Watching watch = new Watching(CLAIMS + "?watch=true&resourceVersion=" + rv,
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        api.post(CLAIMS, claim("c1", "web", 28));
        JsonNode event = watch.nextChange();
        assertEquals("Table", event.path("object").path("kind").asText());
        assertEquals("c1", event.path("object").path("rows").get(0).path("cells").get(0).asText());
        assertEquals("10.0.0.0/28", event.path("object").path("rows").get(0).path("cells").get(2).asText());
    }

    @Test
    void aVersionOlderThanTheWindowIsGone() throws Exception {
        api = new Fixture(ApiConfig.defaults(0).withWatchBacklogMax(16));
        api.post(POOLS, pool("web", "10.0.0.0/16", "IPv4"));
        for (int i = 0; i < 12; i++) {
            api.post(CLAIMS, claim("c" + i, "web", 28));
        }
        Fixture.Reply gone = api.get(CLAIMS + "?watch=true&resourceVersion=2");
        assertEquals(410, gone.code(), gone.toString());
        assertEquals("Expired", gone.reason());
        String rv = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asText();
        Watching fresh = new Watching(CLAIMS + "?watch=true&resourceVersion=" + rv, null);
        assertEquals(200, fresh.code);
    }

    @Test
    void bookmarksAreSentWhenAskedFor() throws Exception {
        api = new Fixture(ApiConfig.defaults(0).withWatchBookmarkMs(100));
        api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4"));
        String rv = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asText();
        Watching watch = new Watching(CLAIMS + "?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv, null);
        JsonNode bookmark = watch.next();
        assertEquals("BOOKMARK", bookmark.path("type").asText());
        assertEquals("IPClaim", bookmark.path("object").path("kind").asText());
        assertTrue(Long.parseLong(bookmark.path("object").path("metadata").path("resourceVersion").asText())
                >= Long.parseLong(rv));
    }

    @Test
    void watchesPerClientAreLimited() throws Exception {
        api = new Fixture(ApiConfig.defaults(0).withWatchesPerClientMax(2));
        api.post(POOLS, pool("web", "10.0.0.0/24", "IPv4"));
        String rv = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asText();
        Watching first = new Watching(CLAIMS + "?watch=true&resourceVersion=" + rv, null);
        Watching second = new Watching(CLAIMS + "?watch=true&resourceVersion=" + rv, null);
        assertEquals(200, first.code);
        assertEquals(200, second.code);
        Fixture.Reply third = api.get(CLAIMS + "?watch=true&resourceVersion=" + rv);
        assertEquals(429, third.code(), third.toString());
        assertEquals("TooManyRequests", third.reason());
        // Closing one frees its slot (the server notices the closed connection).
        first.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int code = 0;
        while (System.nanoTime() < deadline) {
            Fixture.Reply again = api.get(CLAIMS + "?watch=true&timeoutSeconds=1&resourceVersion=" + rv);
            code = again.code();
            if (code == 200) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        assertEquals(200, code, "a closed watch frees its slot");
    }

    @Test
    void aWatcherThatDoesNotReadIsEndedNotBuffered() throws Exception {
        api = new Fixture(ApiConfig.defaults(0).withWatchQueueMax(16));
        api.post(POOLS, pool("web", "10.0.0.0/16", "IPv4"));
        String rv = api.get(CLAIMS).json().path("metadata").path("resourceVersion").asText();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.server.port())) {
            socket.setReceiveBufferSize(4096);
            socket.getOutputStream().write(("GET " + CLAIMS + "?watch=true&resourceVersion=" + rv
                    + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertTrue(waitForOpenWatches(1), "the watch is open");
            String padding = "x".repeat(200_000);
            for (int i = 0; i < 100 && openWatches() > 0; i++) {
                String body = claim("c" + i, "web", 30).replace("\"labels\":{",
                        "\"annotations\":{\"pad\":\"" + padding + "\"},\"labels\":{");
                assertEquals(201, api.post(CLAIMS, body).code());
            }
            assertTrue(waitForOpenWatches(0), "a watcher that reads nothing is ended once " + 16 + " events wait");
        }
    }

    private long openWatches() {
        String metrics = api.get("/metrics").body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("ipam_http_watches_open ([0-9.]+)").matcher(metrics);
        assertTrue(m.find(), metrics);
        return (long) Double.parseDouble(m.group(1));
    }

    private boolean waitForOpenWatches(long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (openWatches() == expected) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return false;
    }

    @Test
    void timeoutSecondsEndsTheStream() {
        api = new Fixture();
        String rv = api.get(POOLS).json().path("metadata").path("resourceVersion").asText();
        Fixture.Reply ended = api.get(POOLS + "?watch=true&timeoutSeconds=1&resourceVersion=" + rv);
        assertEquals(200, ended.code());
        assertEquals("", ended.body().trim(), "nothing changed, nothing sent");
    }
}
