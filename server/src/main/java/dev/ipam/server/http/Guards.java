package dev.ipam.server.http;

/**
 * Limits against abusive clients, beside the sizes and counts of {@link ApiConfig}. Every limit is
 * named for what it bounds, unit last; a bad one fails at start-up with its setting's name.
 *
 * @param requestsPerSecond   requests one identity (or, unauthenticated, one address) may make per
 *                            second on average; more get 429 with Retry-After. 0 turns the limit off
 * @param requestsBurstMax    requests one identity may make at once before the rate applies
 * @param rateIdentitiesMax   identities whose buckets are remembered; past it, full buckets are forgotten
 * @param headerBytesMax      the largest request head (all header lines); larger gets 431
 * @param requestLineBytesMax the longest request line (method, URI, version); longer gets 414
 * @param requestReadTimeoutMs how long a request may take to arrive, from its first byte to its last;
 *                            a client trickling it is answered 408 and cut off
 */
public record Guards(double requestsPerSecond, int requestsBurstMax, int rateIdentitiesMax, int headerBytesMax,
                     int requestLineBytesMax, long requestReadTimeoutMs) {

    public Guards {
        if (!(requestsPerSecond >= 0 && requestsPerSecond <= 1_000_000)) {
            throw bad("http-requests-per-second", requestsPerSecond, "use 0 (off) .. 1000000 (default 5000)");
        }
        within("http-requests-burst-max", requestsBurstMax, 1, 1_000_000, "use 1..1000000 (default 10000)");
        within("http-rate-identities-max", rateIdentitiesMax, 16, 10_000_000, "use 16..10000000 (default 100000)");
        within("http-header-bytes-max", headerBytesMax, 1024, 1 << 20, "use 1024..1048576 (default 32768)");
        within("http-request-line-bytes-max", requestLineBytesMax, 256, 1 << 20, "use 256..1048576 (default 8192)");
        within("http-request-read-timeout-ms", requestReadTimeoutMs, 100, 3_600_000, "use 100..3600000 (default 30000)");
    }

    /**
     * 5000 requests/s with bursts of 10000 per identity (high enough for the load generator and batch
     * clients; lower it for many small tenants), 32 KiB of headers, 30 s to send a request.
     */
    public static Guards defaults() {
        return new Guards(5000, 10_000, 100_000, 32 * 1024, 8192, 30_000);
    }

    /** No rate limit (tests and benchmarks that hammer one identity); the other limits as default. */
    public static Guards unlimitedRate() {
        return defaults().withRate(0, 1);
    }

    public Guards withRate(double perSecond, int burstMax) {
        return new Guards(perSecond, burstMax, rateIdentitiesMax, headerBytesMax, requestLineBytesMax, requestReadTimeoutMs);
    }

    public Guards withRequestReadTimeoutMs(long value) {
        return new Guards(requestsPerSecond, requestsBurstMax, rateIdentitiesMax, headerBytesMax, requestLineBytesMax, value);
    }

    public Guards withHeaderBytesMax(int value) {
        return new Guards(requestsPerSecond, requestsBurstMax, rateIdentitiesMax, value, requestLineBytesMax, requestReadTimeoutMs);
    }

    /** Reads the settings named above from a flat configuration, defaults for what is absent. */
    public static Guards from(java.util.Map<String, String> settings) {
        Guards d = defaults();
        try {
            return new Guards(
                    Double.parseDouble(settings.getOrDefault("http-requests-per-second", "" + d.requestsPerSecond())),
                    Integer.parseInt(settings.getOrDefault("http-requests-burst-max", "" + d.requestsBurstMax())),
                    Integer.parseInt(settings.getOrDefault("http-rate-identities-max", "" + d.rateIdentitiesMax())),
                    Integer.parseInt(settings.getOrDefault("http-header-bytes-max", "" + d.headerBytesMax())),
                    Integer.parseInt(settings.getOrDefault("http-request-line-bytes-max", "" + d.requestLineBytesMax())),
                    Long.parseLong(settings.getOrDefault("http-request-read-timeout-ms", "" + d.requestReadTimeoutMs())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad setting among http-requests-per-second, http-requests-burst-max,"
                    + " http-rate-identities-max, http-header-bytes-max, http-request-line-bytes-max,"
                    + " http-request-read-timeout-ms: " + e.getMessage() + "; use numbers");
        }
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
