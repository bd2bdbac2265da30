package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits against abusive clients, each answered with its status while the server keeps serving. */
class GuardsTest {
    @TempDir
    Path dir;

    @Test
    void rateIsPerIdentityWithRetryAfter() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, AccessTest.line("a", "alice", "*=admin") + AccessTest.line("b", "bob", "*=admin"));
        // Refills one request per 1000 s: the fourth request in a row is refused whatever the box's speed.
        try (Auth auth = Auth.load(tokens);
             Fixture f = new Fixture(ApiConfig.defaults(0), null, auth, null, null, Guards.defaults().withRate(0.001, 3))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, get(f, CLAIMS, "a").statusCode());
            }
            HttpResponse<String> refused = get(f, CLAIMS, "a");
            assertEquals(429, refused.statusCode(), refused.body());
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
            assertEquals(200, get(f, CLAIMS, "b").statusCode(), "another identity has its own bucket");
            // Guessing tokens is limited per address.
            int last = 0;
            for (int i = 0; i < 5; i++) {
                last = get(f, CLAIMS, "guess-" + i).statusCode();
            }
            assertEquals(429, last);
        }
    }

    @Test
    void guessingTokensIsLimitedPerAddressEvenWithoutARateLimit() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, AccessTest.line("a", "alice", "*=admin"));
        try (Auth auth = Auth.load(tokens);
             Fixture f = new Fixture(ApiConfig.defaults(0), null, auth, null, null, Guards.unlimitedRate())) {
            // 200 wrong tokens: past the burst of 50, at most 10/s more get a 401 (this loop would have to
            // last 15 s for all of them to): the rest are 429.
            int refusedAs429 = 0;
            for (int i = 0; i < 200; i++) {
                int code = get(f, CLAIMS, "guess-" + i).statusCode();
                assertTrue(code == 401 || code == 429, "code " + code);
                refusedAs429 += code == 429 ? 1 : 0;
            }
            assertTrue(refusedAs429 > 0, "200 wrong tokens in a row were all answered 401");
            assertEquals(200, get(f, CLAIMS, "a").statusCode(), "a valid token is not slowed by others' guesses");
        }
    }

    @Test
    void bucketsAreBoundedAndRefill() {
        AtomicLong nanos = new AtomicLong();
        RateLimiter limiter = new RateLimiter(10, 2, 16, nanos::get);
        assertEquals(0, limiter.admit("x"));
        assertEquals(0, limiter.admit("x"));
        long wait = limiter.admit("x");
        assertTrue(wait >= 99 && wait <= 101, "wait " + wait);
        nanos.addAndGet(100_000_000);
        assertEquals(0, limiter.admit("x"));
        for (int i = 0; i < 1000; i++) {
            limiter.admit("k" + i);
        }
        assertTrue(limiter.keys() <= 16, "keys " + limiter.keys());
    }

    @Test
    void oversizedHeadersAndLinesAndSlowRequests() throws Exception {
        try (Fixture f = new Fixture(ApiConfig.defaults(0), null, Auth.off(), null, null,
                Guards.unlimitedRate().withRequestReadTimeoutMs(300))) {
            String big = "GET " + CLAIMS + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n";
            assertTrue(raw(f, big, false).startsWith("HTTP/1.1 431"), "headers over the limit");
            String longLine = "GET " + CLAIMS + "?x=" + "b".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
            assertTrue(raw(f, longLine, false).startsWith("HTTP/1.1 414"), "request line over the limit");
            String trickle = "POST " + CLAIMS + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"kind\":";
            String answer = raw(f, trickle, true);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            String headersOnly = "GET " + CLAIMS + " HTTP/1.1\r\nHost: x\r\n";
            assertTrue(raw(f, headersOnly, true).startsWith("HTTP/1.1 408"), "headers never finished");
            assertEquals(200, f.get(CLAIMS).code(), "the server still answers");
        }
    }

    @Test
    void watchesArePerIdentity() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, AccessTest.line("a", "alice", "*=admin") + AccessTest.line("b", "bob", "*=admin"));
        try (Auth auth = Auth.load(tokens);
             Fixture f = new Fixture(ApiConfig.defaults(0).withWatchesPerClientMax(1), null, auth)) {
            HttpResponse<InputStream> first = watch(f, "a");
            assertEquals(200, first.statusCode());
            HttpResponse<InputStream> second = watch(f, "a");
            assertEquals(429, second.statusCode());
            second.body().close();
            HttpResponse<InputStream> other = watch(f, "b");
            assertEquals(200, other.statusCode(), "bob's watches are counted apart from alice's");
            first.body().close();
            other.body().close();
        }
    }

    private static HttpResponse<InputStream> watch(Fixture f, String token) throws Exception {
        return f.http.send(HttpRequest.newBuilder(f.uri(CLAIMS + "?watch=true")).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static HttpResponse<String> get(Fixture f, String path, String token) throws Exception {
        return f.http.send(HttpRequest.newBuilder(f.uri(path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends raw bytes and reads until the server closes (at most 10 s); keeps the socket open when {@code hold}. */
    private static String raw(Fixture f, String request, boolean hold) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                answer.write(buffer, 0, n);
                if (!hold && answer.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
