package dev.ipam.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything an {@link IpamClient} is built from, checked once at construction so that a bad
 * setting fails with its name and the fix rather than at the first request.
 *
 * @param endpoints          the nodes to talk to ({@code http://host:port}), tried in order; the
 *                           client sticks to the last one that answered and moves on when it fails
 * @param project            the project every project-scoped call addresses (may be null for
 *                           admin-only use: projects and cluster endpoints)
 * @param token              bearer token, or null for anonymous requests
 * @param connectTimeoutMs   how long to wait for a TCP connection to one node
 * @param requestTimeoutMs   how long to wait for one node's answer (headers) to one request
 * @param operationTimeoutMs how long one call may take across all its retries and failovers
 * @param attemptsMax        the most attempts of one call (first try plus retries), across nodes
 * @param backoffMs          the pause after a full round of failed nodes, doubled per round
 * @param backoffMaxMs       the longest such pause
 * @param responseBytesMax   the largest response body accepted
 * @param watchEventBytesMax the largest single watch event (one line of the stream) accepted
 * @param listItemsMax       the most items {@link ResourceClient#listAll} gathers across pages
 * @param watchReconnectsMax the most consecutive failed attempts of a watch to reconnect (no node answered)
 * @param watchIdleMs        how long a watch stream may stay silent (no event, no bookmark) before the
 *                           client drops it and reconnects, so a node that hangs cannot stall a watch
 */
public record ClientConfig(List<URI> endpoints, String project, String token, long connectTimeoutMs,
                           long requestTimeoutMs, long operationTimeoutMs, int attemptsMax, long backoffMs,
                           long backoffMaxMs, long responseBytesMax, int watchEventBytesMax, int listItemsMax,
                           int watchReconnectsMax, long watchIdleMs) {

    /** Checks every field and every relation between fields. */
    public ClientConfig {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: give at least one node, e.g. http://127.0.0.1:8080");
        }
        List<URI> clean = new ArrayList<>();
        for (URI endpoint : endpoints) {
            String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoints: '" + endpoint
                        + "' is not an http(s)://host:port address; write it as http://127.0.0.1:8080");
            }
            String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
            if (!path.isEmpty() && !path.equals("/") || endpoint.getRawQuery() != null) {
                throw new IllegalArgumentException("endpoints: '" + endpoint + "' has a path or query; give the node's root, "
                        + endpoint.getScheme() + "://" + endpoint.getRawAuthority() + ", and the project separately");
            }
            clean.add(URI.create(endpoint.getScheme() + "://" + endpoint.getRawAuthority()));
        }
        endpoints = List.copyOf(clean);
        positive("connectTimeoutMs", connectTimeoutMs);
        positive("requestTimeoutMs", requestTimeoutMs);
        positive("operationTimeoutMs", operationTimeoutMs);
        positive("attemptsMax", attemptsMax);
        positive("backoffMs", backoffMs);
        positive("responseBytesMax", responseBytesMax);
        positive("watchEventBytesMax", watchEventBytesMax);
        positive("listItemsMax", listItemsMax);
        positive("watchReconnectsMax", watchReconnectsMax);
        positive("watchIdleMs", watchIdleMs);
        if (backoffMaxMs < backoffMs) {
            throw new IllegalArgumentException("backoffMaxMs (" + backoffMaxMs + ") must be >= backoffMs (" + backoffMs + ")");
        }
        if (watchEventBytesMax > responseBytesMax) {
            throw new IllegalArgumentException("watchEventBytesMax must be <= responseBytesMax");
        }
    }

    /** The same settings addressing another project. */
    public ClientConfig withProject(String otherProject) {
        return new ClientConfig(endpoints, otherProject, token, connectTimeoutMs, requestTimeoutMs, operationTimeoutMs,
                attemptsMax, backoffMs, backoffMaxMs, responseBytesMax, watchEventBytesMax, listItemsMax,
                watchReconnectsMax, watchIdleMs);
    }

    /** The same settings for one node, one attempt, and small answers (health probes). */
    ClientConfig probe(URI endpoint) {
        return new ClientConfig(List.of(endpoint), project, token, connectTimeoutMs, requestTimeoutMs, requestTimeoutMs,
                1, backoffMs, backoffMaxMs, 64 * 1024, 64 * 1024, 1, 1, watchIdleMs);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** A builder with working defaults: 2 s connect, 10 s per request, 30 s per call, 16 MiB bodies. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ClientConfig}; every setter returns the builder. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private String project;
        private String token;
        private long connectTimeoutMs = 2_000;
        private long requestTimeoutMs = 10_000;
        private long operationTimeoutMs = 30_000;
        private int attemptsMax = 6;
        private long backoffMs = 50;
        private long backoffMaxMs = 1_000;
        private long responseBytesMax = 16L << 20;
        private int watchEventBytesMax = 1 << 20;
        private int listItemsMax = 1_000_000;
        private int watchReconnectsMax = 10;
        private long watchIdleMs = 120_000;

        private Builder() {
        }

        /** Adds a node, {@code http://host:port}. */
        public Builder endpoint(String uri) {
            endpoints.add(URI.create(uri.trim()));
            return this;
        }

        /** Adds nodes. */
        public Builder endpoints(List<String> uris) {
            uris.forEach(this::endpoint);
            return this;
        }

        /** The project of project-scoped calls. */
        public Builder project(String value) {
            project = value;
            return this;
        }

        /** The bearer token. */
        public Builder token(String value) {
            token = value;
            return this;
        }

        /** See {@link ClientConfig#connectTimeoutMs()}. */
        public Builder connectTimeoutMs(long value) {
            connectTimeoutMs = value;
            return this;
        }

        /** See {@link ClientConfig#requestTimeoutMs()}. */
        public Builder requestTimeoutMs(long value) {
            requestTimeoutMs = value;
            return this;
        }

        /** See {@link ClientConfig#operationTimeoutMs()}. */
        public Builder operationTimeoutMs(long value) {
            operationTimeoutMs = value;
            return this;
        }

        /** See {@link ClientConfig#attemptsMax()}. */
        public Builder attemptsMax(int value) {
            attemptsMax = value;
            return this;
        }

        /** See {@link ClientConfig#backoffMs()} and {@link ClientConfig#backoffMaxMs()}. */
        public Builder backoffMs(long first, long max) {
            backoffMs = first;
            backoffMaxMs = max;
            return this;
        }

        /** See {@link ClientConfig#responseBytesMax()}. */
        public Builder responseBytesMax(long value) {
            responseBytesMax = value;
            return this;
        }

        /** See {@link ClientConfig#watchEventBytesMax()}. */
        public Builder watchEventBytesMax(int value) {
            watchEventBytesMax = value;
            return this;
        }

        /** See {@link ClientConfig#listItemsMax()}. */
        public Builder listItemsMax(int value) {
            listItemsMax = value;
            return this;
        }

        /** See {@link ClientConfig#watchReconnectsMax()}. */
        public Builder watchReconnectsMax(int value) {
            watchReconnectsMax = value;
            return this;
        }

        /** See {@link ClientConfig#watchIdleMs()}. */
        public Builder watchIdleMs(long value) {
            watchIdleMs = value;
            return this;
        }

        /** The checked configuration. */
        public ClientConfig build() {
            return new ClientConfig(endpoints, project, token, connectTimeoutMs, requestTimeoutMs,
                    operationTimeoutMs, attemptsMax, backoffMs, backoffMaxMs, responseBytesMax,
                    watchEventBytesMax, listItemsMax, watchReconnectsMax, watchIdleMs);
        }
    }
}
