package dev.ipam.client;

import dev.ipam.client.model.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP to a list of nodes with failover. A call goes to the node that answered last; a connection
 * failure, a timeout or a 502/503/504 moves it to the next node, with a growing pause after each
 * full round, until {@link ClientConfig#attemptsMax()} attempts or
 * {@link ClientConfig#operationTimeoutMs()} have passed. Every attempt of one call carries the same
 * {@code X-Request-Id}, so the server can recognise a retry of a write it already applied.
 */
final class Transport {
    /** The idempotency key header. */
    static final String REQUEST_ID_HEADER = "X-Request-Id";

    private final ClientConfig config;
    private final HttpClient http;
    private final AtomicInteger preferred = new AtomicInteger();

    Transport(ClientConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** One call: method, path below the node's root, query, optional body and idempotency key. */
    record Call(String method, String path, Map<String, String> query, byte[] body, String contentType,
                String requestId) {
        static Call get(String path, Map<String, String> query) {
            return new Call("GET", path, query, null, null, null);
        }
    }

    /** A node's answer; {@code attempt} counts from 1, so {@code attempt > 1} means a retry. */
    record Answer(int code, byte[] body, URI endpoint, int attempt) {
        boolean ok() {
            return code >= 200 && code < 300;
        }

        /** The error this answer describes. */
        IpamException error() {
            Status status = status(body);
            String text = new String(body, 0, Math.min(body.length, 512), StandardCharsets.UTF_8).trim();
            return IpamException.fromStatus(code, status, "HTTP " + code + " from " + endpoint
                    + (text.isEmpty() ? "" : ": " + text));
        }
    }

    /** The body as a Status, or null when it is not one (a proxy's HTML page, say). */
    private static Status status(byte[] body) {
        if (body.length == 0 || body[0] != '{') {
            return null;
        }
        try {
            return Codec.JSON.readValue(body, Status.class);
        } catch (IOException notAStatus) {
            return null;
        }
    }

    /** A streaming answer (a watch): the open body and the node it came from. */
    record Stream(int code, InputStream body, URI endpoint) {
    }

    /** Sends the call, failing over as described above, and returns the first non-retryable answer. */
    Answer send(Call call) {
        Attempts attempts = new Attempts();
        while (true) {
            int index = attempts.next();
            URI endpoint = config.endpoints().get(index);
            try {
                HttpResponse<InputStream> response = http.send(request(endpoint, call),
                        HttpResponse.BodyHandlers.ofInputStream());
                byte[] body = readLimited(response.body(), config.responseBytesMax(), endpoint);
                int code = response.statusCode();
                if (retryable(code) && attempts.more()) {
                    attempts.failed(endpoint + " answered " + code, null);
                    continue;
                }
                preferred.set(index);
                return new Answer(code, body, endpoint, attempts.count);
            } catch (IOException e) {
                attempts.failed(endpoint + ": " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpamException(IpamException.Reason.UNAVAILABLE, "interrupted while calling " + endpoint, e);
            }
        }
    }

    /** Opens a streaming GET (a watch), failing over like {@link #send}; the caller closes the body. */
    Stream open(Call call) {
        Attempts attempts = new Attempts();
        while (true) {
            int index = attempts.next();
            URI endpoint = config.endpoints().get(index);
            try {
                // The request timeout covers the wait for headers only; the stream may then run as long as it lasts.
                HttpResponse<InputStream> response = http.send(request(endpoint, call),
                        HttpResponse.BodyHandlers.ofInputStream());
                int code = response.statusCode();
                if (retryable(code) && attempts.more()) {
                    response.body().close();
                    attempts.failed(endpoint + " answered " + code, null);
                    continue;
                }
                preferred.set(index);
                return new Stream(code, response.body(), endpoint);
            } catch (IOException e) {
                attempts.failed(endpoint + ": " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpamException(IpamException.Reason.UNAVAILABLE, "interrupted while calling " + endpoint, e);
            }
        }
    }

    /** Reads a whole body, refusing one larger than the limit. */
    static byte[] readLimited(InputStream in, long bytesMax, URI endpoint) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > bytesMax) {
                    throw new IpamException(IpamException.Reason.TOO_LARGE, "the answer of " + endpoint
                            + " exceeds responseBytesMax=" + bytesMax + "; narrow the request (limit, selectors)", null);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static boolean retryable(int code) {
        return code == 502 || code == 503 || code == 504;
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    private HttpRequest request(URI endpoint, Call call) {
        StringBuilder uri = new StringBuilder(endpoint.toString()).append(call.path());
        if (call.query() != null && !call.query().isEmpty()) {
            char separator = '?';
            for (Map.Entry<String, String> entry : call.query().entrySet()) {
                uri.append(separator).append(encode(entry.getKey())).append('=').append(encode(entry.getValue()));
                separator = '&';
            }
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri.toString()))
                .header("Accept", "application/json")
                .timeout(Duration.ofMillis(config.requestTimeoutMs()));
        if (config.token() != null && !config.token().isEmpty()) {
            builder.header("Authorization", "Bearer " + config.token());
        }
        if (call.requestId() != null) {
            builder.header(REQUEST_ID_HEADER, call.requestId());
        }
        if (call.body() != null) {
            builder.header("Content-Type", call.contentType() == null ? "application/json" : call.contentType());
            builder.method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        } else {
            builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Percent-encodes one path segment (a name). */
    static String segment(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a name is required");
        }
        return encode(name);
    }

    /** A fresh query map that keeps insertion order. */
    static Map<String, String> query() {
        return new LinkedHashMap<>();
    }

    /** The attempts of one call: which node next, whether another is allowed, the pause between rounds. */
    private final class Attempts {
        private final long deadlineNs = System.nanoTime() + config.operationTimeoutMs() * 1_000_000L;
        private final int nodes = config.endpoints().size();
        private final int first = Math.floorMod(preferred.get(), nodes);
        private int count;
        private long pauseMs = config.backoffMs();
        private String lastFailure = "no attempt made";
        private Throwable lastCause;

        int next() {
            if (count > 0 && count % nodes == 0) {
                pause();
            }
            int index = (first + count) % nodes;
            count++;
            return index;
        }

        boolean more() {
            return count < config.attemptsMax() && System.nanoTime() < deadlineNs;
        }

        void failed(String failure, Throwable cause) {
            lastFailure = failure;
            lastCause = cause;
            if (!more()) {
                throw new IpamException(IpamException.Reason.UNAVAILABLE, "no node answered after " + count
                        + " attempt(s) over " + List.copyOf(config.endpoints()) + "; last: " + lastFailure, lastCause);
            }
        }

        private void pause() {
            long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            long sleepMs = Math.min(pauseMs, Math.max(0, leftMs));
            pauseMs = Math.min(pauseMs * 2, config.backoffMaxMs());
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IpamException(IpamException.Reason.UNAVAILABLE, "interrupted while backing off", e);
            }
        }
    }
}
