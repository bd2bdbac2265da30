package dev.ipam.server.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per identity: each holds up to {@code burstMax} requests and refills at
 * {@code perSecond}. {@link #admit} answers 0 (go) or how long to wait. At most {@code keysMax}
 * buckets are kept: past that, the buckets that have refilled (idle identities) are dropped, and if
 * none has, every bucket is (a flood of fresh identities cannot grow memory without bound).
 */
final class RateLimiter {
    private final double perNano;
    private final double burstMax;
    private final int keysMax;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long atNanos;

        Bucket(double tokens, long atNanos) {
            this.tokens = tokens;
            this.atNanos = atNanos;
        }
    }

    RateLimiter(double perSecond, int burstMax, int keysMax, LongSupplier nanos) {
        this.perNano = perSecond / 1e9;
        this.burstMax = burstMax;
        this.keysMax = keysMax;
        this.nanos = nanos;
    }

    static RateLimiter of(Guards guards) {
        return new RateLimiter(guards.requestsPerSecond(), guards.requestsBurstMax(), guards.rateIdentitiesMax(),
                System::nanoTime);
    }

    boolean on() {
        return perNano > 0;
    }

    /** 0 when {@code key} may make a request now (and takes its token), else the milliseconds to wait. */
    long admit(String key) {
        if (!on()) {
            return 0;
        }
        long now = nanos.getAsLong();
        if (buckets.size() >= keysMax && !buckets.containsKey(key)) {
            evict(now);
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burstMax, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burstMax, bucket.tokens + (now - bucket.atNanos) * perNano);
            bucket.atNanos = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perNano / 1e6));
        }
    }

    private void evict(long now) {
        buckets.entrySet().removeIf(e -> {
            Bucket b = e.getValue();
            synchronized (b) {
                return b.tokens + (now - b.atNanos) * perNano >= burstMax;
            }
        });
        if (buckets.size() >= keysMax) {
            buckets.clear();
        }
    }

    /** The limit in words, for refusals. */
    String describe() {
        return "at most " + (perNano * 1e9) + " requests/s (http-requests-per-second), bursts of " + (long) burstMax
                + " (http-requests-burst-max)";
    }

    int keys() {
        return buckets.size();
    }
}
