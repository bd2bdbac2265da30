package dev.ipam.server.http;

/**
 * Settings of the HTTP API. Every limit is named for what it bounds, with its unit last. The
 * compact constructor rejects a bad setting with its name and the fix, so a misconfigured daemon
 * fails at start-up instead of at the first request.
 *
 * @param host                   the address to bind (loopback by default)
 * @param port                   the port to bind; 0 picks a free one (see {@link ApiServer#port()})
 * @param bodyBytesMax           the largest request body accepted; larger ones get 413
 * @param jsonDepthMax           the deepest nesting of arrays/objects in a JSON or YAML body; deeper gets 400
 * @param listLimitMax           the largest page a list returns; a larger {@code limit} is clamped to it
 * @param watchesPerClientMax    open watches per client address; one more gets 429
 * @param watchBacklogMax        change events kept in memory for watches to resume from; older gets 410
 * @param watchQueueMax          events queued for one slow watcher before its stream is ended
 * @param watchBookmarkMs        how often a watch that asked for bookmarks gets one
 * @param requestTimeoutMs       how long a request waits for the replica before 503/504
 * @param workerThreads          threads that decode, call the replica and encode (never the event loop)
 * @param requestQueueMax        requests waiting for a worker; one more gets 429
 * @param connectionsMax         open client connections; one more is closed at once
 * @param idleTimeoutMs          a connection with no request (and no watch streaming) this long is closed
 */
public record ApiConfig(String host, int port, int bodyBytesMax, int jsonDepthMax, int listLimitMax,
                        int watchesPerClientMax, int watchBacklogMax, int watchQueueMax, long watchBookmarkMs,
                        long requestTimeoutMs, int workerThreads, int requestQueueMax, int connectionsMax,
                        long idleTimeoutMs) {

    public ApiConfig {
        if (host == null || host.isBlank()) {
            throw bad("http.host", host, "set it to an address to bind, e.g. 127.0.0.1");
        }
        within("http.port", port, 0, 65535, "use 0 for any free port or a port in 1..65535");
        within("http.bodyBytesMax", bodyBytesMax, 1024, 64 << 20, "use 1024..67108864 (default 3145728)");
        within("http.jsonDepthMax", jsonDepthMax, 8, 1000, "use 8..1000 (default 64)");
        within("http.listLimitMax", listLimitMax, 1, 100_000, "use 1..100000 (default 500)");
        within("http.watchesPerClientMax", watchesPerClientMax, 1, 100_000, "use 1..100000 (default 100)");
        within("http.watchBacklogMax", watchBacklogMax, 16, 10_000_000, "use 16..10000000 (default 10000)");
        within("http.watchQueueMax", watchQueueMax, 16, 1_000_000, "use 16..1000000 (default 1000)");
        within("http.watchBookmarkMs", watchBookmarkMs, 100, 3_600_000, "use 100..3600000 (default 60000)");
        within("http.requestTimeoutMs", requestTimeoutMs, 10, 3_600_000, "use 10..3600000 (default 10000)");
        within("http.workerThreads", workerThreads, 1, WORKER_THREADS_MAX, "use 1.." + WORKER_THREADS_MAX
                + " (default " + WORKER_THREADS_DEFAULT + ")");
        within("http.requestQueueMax", requestQueueMax, 1, 1_000_000, "use 1..1000000 (default 4096)");
        within("http.connectionsMax", connectionsMax, 1, 1_000_000, "use 1..1000000 (default 10000)");
        within("http.idleTimeoutMs", idleTimeoutMs, 1000, 86_400_000, "use 1000..86400000 (default 300000)");
    }

    /** Loopback, the given port, and the defaults above. */
    public static ApiConfig defaults(int port) {
        return new ApiConfig("127.0.0.1", port, 3 << 20, 64, 500, 100, 10_000, 1000, 60_000, 10_000, WORKER_THREADS_DEFAULT,
                4096, 10_000, 300_000);
    }

    /**
     * Workers only compute (decode, authenticate, validate, submit, encode): writes and reads
     * complete through futures, so fewer would do on a small machine, but a slow request (a big page
     * to encode) then holds up more of the others. Two against eight on one node at c=64 on 2
     * processors: within the noise (ops/README.md, session 11).
     */
    public static final int WORKER_THREADS_DEFAULT = 8;
    public static final int WORKER_THREADS_MAX = 1024;

    /**
     * Reads the {@code http.*} settings of a flat configuration (file or flags), defaults for what is
     * absent; a value that is not a number fails with the setting's name.
     */
    public static ApiConfig from(java.util.Map<String, String> settings) {
        ApiConfig d = defaults(8080);
        return new ApiConfig(settings.getOrDefault("http.host", d.host()),
                (int) number(settings, "http.port", d.port()),
                (int) number(settings, "http.bodyBytesMax", d.bodyBytesMax()),
                (int) number(settings, "http.jsonDepthMax", d.jsonDepthMax()),
                (int) number(settings, "http.listLimitMax", d.listLimitMax()),
                (int) number(settings, "http.watchesPerClientMax", d.watchesPerClientMax()),
                (int) number(settings, "http.watchBacklogMax", d.watchBacklogMax()),
                (int) number(settings, "http.watchQueueMax", d.watchQueueMax()),
                number(settings, "http.watchBookmarkMs", d.watchBookmarkMs()),
                number(settings, "http.requestTimeoutMs", d.requestTimeoutMs()),
                (int) number(settings, "http.workerThreads", d.workerThreads()),
                (int) number(settings, "http.requestQueueMax", d.requestQueueMax()),
                (int) number(settings, "http.connectionsMax", d.connectionsMax()),
                number(settings, "http.idleTimeoutMs", d.idleTimeoutMs()));
    }

    private static long number(java.util.Map<String, String> settings, String name, long fallback) {
        String value = settings.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed > Integer.MAX_VALUE && !name.endsWith("Ms")) {
                throw bad(name, value, "use a number below 2147483648");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw bad(name, value, "use a whole number (default " + fallback + ")");
        }
    }

    public ApiConfig withHost(String newHost) {
        return new ApiConfig(newHost, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withBodyBytesMax(int value) {
        return new ApiConfig(host, port, value, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withJsonDepthMax(int value) {
        return new ApiConfig(host, port, bodyBytesMax, value, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withListLimitMax(int value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, value, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withWatchesPerClientMax(int value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, value,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withWatchBacklogMax(int value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                value, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withWatchBookmarkMs(long value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, value, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withRequestTimeoutMs(long value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, value, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withWatchQueueMax(int value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, value, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withConnectionsMax(int value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax, value,
                idleTimeoutMs);
    }

    public ApiConfig withWorkerThreads(int value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, value, requestQueueMax, connectionsMax,
                idleTimeoutMs);
    }

    public ApiConfig withIdleTimeoutMs(long value) {
        return new ApiConfig(host, port, bodyBytesMax, jsonDepthMax, listLimitMax, watchesPerClientMax,
                watchBacklogMax, watchQueueMax, watchBookmarkMs, requestTimeoutMs, workerThreads, requestQueueMax,
                connectionsMax, value);
    }

    private static void within(String name, long value, long min, long max, String fix) {
        if (value < min || value > max) {
            throw bad(name, value, fix);
        }
    }

    private static IllegalArgumentException bad(String name, Object value, String fix) {
        return new IllegalArgumentException("bad setting " + name + "=" + value + ": " + fix);
    }
}
