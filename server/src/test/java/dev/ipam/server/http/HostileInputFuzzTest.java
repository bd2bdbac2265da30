package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated malformed and hostile requests against one ApiServer (DirectReplica over a MemoryStore):
 * random methods, paths, query strings, headers and bodies (JSON and YAML bombs, huge numbers, deep
 * nesting, invalid UTF-8, selector garbage, broken HTTP framing), over keep-alive connections. Every
 * request must be answered with a 4xx (or a 2xx for what happens to be valid), never a 5xx or a hang;
 * every refused request must leave the export digest as it was; the server must answer afterwards.
 *
 * <p>Seeded: {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.requests=N} sets the count (default
 * 100000). The seed is printed at the start and in every failure.
 */
class HostileInputFuzzTest {
    static final String P1 = Fixture.P1;
    static final List<String> BASES = List.of(Fixture.CLAIMS, Fixture.POOLS, Fixture.IPAM + "/ipallocations",
            Fixture.IPAM + "/namespaces/default/ipallocations", Fixture.CLAIMS + "/c1", Fixture.POOLS + "/web",
            Fixture.CLAIMS + "/c1/status", Fixture.POOLS + "/web/status", Api.PROJECTS, Api.PROJECTS + "/p1",
            Api.PROJECTS + "/p9", P1 + "/apis", P1 + "/version", P1 + "/openapi/v2", "/openapi/v3", "/apis", "/api",
            "/admin/cluster", "/admin/members", "/admin/snapshots", "/healthz", "/nope", "/", "");
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
            "get", "PROPFIND", "X", "POST ", "");
    static final List<String> TYPES = List.of("application/json", "application/yaml", "application/merge-patch+json",
            "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
            "text/plain", "application/json; charset=latin1", "*/*", ";;;", "application/vnd.kubernetes.protobuf");
    static final List<String> SELECTORS = List.of("app=c1", "app in (a", "a!=", "!!", "x,y,z", "app notin ()",
            "a=b=c", "%FF%FE", "metadata.name=c1", "spec.cidr=1", "=", "a==b", "(((", "a in (" + "b,".repeat(300) + "c)",
            "k".repeat(400) + "=v", "app=\u00e9\u0000");

    @Test
    void hostileRequestsAreRefusedWithoutChangingState() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int requests = Integer.getInteger("fuzz.requests", 100_000);
        System.out.println("HostileInputFuzzTest seed=" + seed + " requests=" + requests + " (replay: -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        try (Fixture api = new Fixture(ApiConfig.defaults(0).withBodyBytesMax(64 * 1024))) {
            assertEquals(201, api.post(Fixture.POOLS, Fixture.pool("web", "10.0.0.0/16", "IPv4")).code());
            assertEquals(201, api.post(Fixture.CLAIMS, Fixture.claim("c1", "web", 28)).code());
            String digest = api.digest();
            Connection connection = new Connection(api.server.port());
            int[] byClass = new int[6];
            long started = System.nanoTime();
            try {
                for (int i = 0; i < requests; i++) {
                    Generated request = generate(random);
                    Answer answer;
                    try {
                        answer = connection.exchange(request);
                    } catch (IOException e) {
                        if (!request.malformed) {
                            fail("seed=" + seed + " request " + i + " got no answer (" + e + "): " + request.describe());
                        }
                        connection.close();
                        connection = new Connection(api.server.port());
                        continue;
                    }
                    if (answer == null || answer.close) {
                        connection.close();
                        connection = new Connection(api.server.port());
                    }
                    if (answer == null) {
                        continue;
                    }
                    byClass[Math.min(5, answer.code / 100)]++;
                    assertTrue(answer.code < 500, "seed=" + seed + " request " + i + " answered " + answer.code + ": "
                            + request.describe() + "\n" + answer.head);
                    boolean write = !request.method.equals("GET") && !request.method.equals("HEAD");
                    if (write && answer.code >= 200 && answer.code < 300) {
                        digest = api.digest(); // something valid enough was accepted: a new baseline
                    } else if (write || i % 1000 == 0) {
                        assertEquals(digest, api.digest(), "seed=" + seed + " request " + i + " was refused ("
                                + answer.code + ") but changed the state: " + request.describe());
                    }
                }
            } finally {
                connection.close();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "HostileInputFuzzTest: %d requests in %.1f s (%.0f/s); 2xx %d, 3xx %d, 4xx %d%n",
                    requests, seconds, requests / seconds, byClass[2], byClass[3], byClass[4]);
            assertTrue(byClass[4] > requests / 2, "most hostile requests must be refused");
            // Random DELETEs may have removed p1 itself (anonymous is an administrator): ask what always exists.
            assertEquals(200, api.get("/healthz").code(), "the server still answers");
            assertEquals(404, api.get("/nope").code(), "and still refuses");
            assertNotEquals(0, byClass[4]);
        }
    }

    /** One generated request: either a well-framed HTTP/1.1 request with hostile parts, or raw bytes. */
    record Generated(String method, String target, List<String[]> headers, byte[] body, boolean malformed, byte[] raw) {
        String describe() {
            if (raw != null) {
                return "raw " + new String(raw, 0, Math.min(raw.length, 300), StandardCharsets.ISO_8859_1);
            }
            String b = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder();
            for (String[] header : headers) {
                h.append(header[0]).append(": ").append(header[1].length() > 80 ? header[1].substring(0, 80) + "..." : header[1])
                        .append("; ");
            }
            return method + " " + (target.length() > 300 ? target.substring(0, 300) + "..." : target) + " [" + h + "] "
                    + body.length + " bytes: " + b;
        }
    }

    static Generated generate(Random r) {
        if (r.nextInt(40) == 0) {
            return rawGarbage(r);
        }
        int pick = r.nextInt(100);
        String method = pick < 40 ? "GET" : pick < 45 ? "HEAD" : METHODS.get(r.nextInt(METHODS.size()));
        boolean valid = !method.isEmpty() && method.chars().allMatch(c -> c >= 'A' && c <= 'Z');
        String target = path(r) + query(r);
        List<String[]> headers = new java.util.ArrayList<>();
        headers.add(new String[] {"Host", "127.0.0.1"});
        if (r.nextInt(3) > 0) {
            headers.add(new String[] {"Content-Type", TYPES.get(r.nextInt(TYPES.size()))});
        }
        if (r.nextInt(4) == 0) {
            headers.add(new String[] {"Accept", TYPES.get(r.nextInt(TYPES.size())) + (r.nextBoolean() ? ";as=Table;g=meta.k8s.io;v=v1" : "")});
        }
        if (r.nextInt(10) == 0) {
            headers.add(new String[] {"Authorization", r.nextBoolean() ? "Bearer " + word(r, 40) : word(r, 10)});
        }
        if (r.nextInt(10) == 0) {
            headers.add(new String[] {"X-" + word(r, 8), word(r, r.nextInt(200))});
        }
        byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0] : body(r);
        return new Generated(method, target, headers, body, !valid || !target.startsWith("/"), null);
    }

    static String path(Random r) {
        String base = BASES.get(r.nextInt(BASES.size()));
        return switch (r.nextInt(8)) {
            case 0 -> base + "/" + word(r, 1 + r.nextInt(30));
            case 1 -> base + "/%2e%2e/%00/" + word(r, 5);
            case 2 -> base.replace("p1", word(r, 1 + r.nextInt(70)));
            case 3 -> base + "//" + "a/".repeat(r.nextInt(50));
            case 4 -> base.isEmpty() ? "*" : base.substring(0, r.nextInt(base.length()));
            default -> base;
        };
    }

    static String query(Random r) {
        StringBuilder q = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            q.append(i == 0 ? "?" : "&");
            switch (r.nextInt(9)) {
                case 0 -> q.append("labelSelector=").append(encode(SELECTORS.get(r.nextInt(SELECTORS.size()))));
                case 1 -> q.append("fieldSelector=").append(encode(SELECTORS.get(r.nextInt(SELECTORS.size()))));
                case 2 -> q.append("limit=").append(List.of("-1", "0", "99999999999999999999", "1e9", "ten", "2147483648",
                        "500").get(r.nextInt(7)));
                case 3 -> q.append("continue=").append(encode(word(r, r.nextInt(60))));
                case 4 -> q.append("dryRun=").append(r.nextBoolean() ? "All" : word(r, 4));
                case 5 -> q.append("resourceVersion=").append(List.of("0", "-5", "abc", "18446744073709551616", "1").get(r.nextInt(5)));
                case 6 -> q.append("fieldValidation=").append(List.of("Strict", "Warn", "Ignore", "x").get(r.nextInt(4)));
                case 7 -> q.append(encode(word(r, 5))).append("=").append(encode(word(r, 5)));
                default -> q.append("%zz=%").append("&&=&");
            }
        }
        return q.toString();
    }

    static byte[] body(Random r) {
        String json = switch (r.nextInt(16)) {
            case 0 -> "";
            case 1 -> "{" + "\"a\":[".repeat(100 + r.nextInt(5000)) + "1";
            case 2 -> "[".repeat(20_000);
            case 3 -> Fixture.claim("z" + r.nextInt(1000), "web", 28).replace("28", List.of("1e999999", "-1",
                    "18446744073709551617", "28.5", "\"28\"", "null", "999999999999999999999999999").get(r.nextInt(7)));
            case 4 -> Fixture.claim("c1", "web", 28).replace("IPv4", List.of("IPv5", "", "\u0000", "ipv4").get(r.nextInt(4)));
            case 5 -> yamlBomb(r);
            case 6 -> Fixture.pool("p" + r.nextInt(1000), List.of("10.0.0.0/33", "999.1.1.1/8", "::/0", "10.0.0.1/8",
                    "0.0.0.0/0", "fe80::/200", "garbage").get(r.nextInt(7)), r.nextBoolean() ? "IPv4" : "IPv6");
            case 7 -> "{\"kind\":\"IPClaim\",\"kind\":\"IPPool\",\"metadata\":{\"name\":\"" + "n".repeat(r.nextInt(400)) + "\"}}";
            case 8 -> "[{\"op\":\"replace\",\"path\":\"/spec/cidr\",\"value\":\"10.0.0.0/8\"},{\"op\":\"" + word(r, 6) + "\"}]";
            case 9 -> "{\"metadata\":{\"labels\":{\"" + word(r, 300) + "\":\"" + word(r, 100) + "\"}},\"spec\":{\"prefixLength\":"
                    + r.nextLong() + "}}";
            case 10 -> "{\"spec\":{\"poolSelector\":{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"" + word(r, 6)
                    + "\",\"values\":[" + "\"v\",".repeat(r.nextInt(2000)) + "\"w\"]}]}}}";
            case 11 -> Fixture.claim("c1", "web", 28).substring(0, r.nextInt(60));
            case 12 -> "NaN";
            case 13 -> "{\"a\":\"\\ud800\",\"b\":\"\\u0000\",\"c\":1.7976931348623157E309}";
            default -> Fixture.claim("f" + r.nextInt(100), word(r, 10), 1 + r.nextInt(40));
        };
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(8) == 0 && bytes.length > 4) {
            bytes[r.nextInt(bytes.length)] = (byte) (0x80 + r.nextInt(0x7f)); // invalid UTF-8
        }
        return bytes;
    }

    static String yamlBomb(Random r) {
        StringBuilder y = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'i'; c++) {
            y.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                y.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            y.append("]\n");
            prev = c;
        }
        return r.nextBoolean() ? y.toString() : "kind: IPClaim\nmetadata: !!java.lang.Runtime {}\nspec: " + "[".repeat(200);
    }

    static Generated rawGarbage(Random r) {
        String raw = switch (r.nextInt(7)) {
            case 0 -> "GARBAGE\r\n\r\n";
            case 1 -> "GET / HTTP/1.1\r\nHost x\r\nno colon here\r\n\r\n";
            case 2 -> "POST " + Fixture.CLAIMS + " HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n";
            case 3 -> "POST " + Fixture.CLAIMS + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
            case 4 -> "GET / HTTP/9.9\r\n\r\n";
            case 5 -> "POST " + Fixture.CLAIMS + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n";
            default -> "\u0000\u00ff\r\n" + word(r, 50) + "\r\n\r\n";
        };
        return new Generated("RAW", "", List.of(), new byte[0], true, raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String word(Random r, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(10);
            s.append(kind < 7 ? (char) ('a' + r.nextInt(26)) : kind < 9 ? "-_.~!*'();:@&=+$,/?#[]%\"<> ".charAt(r.nextInt(27))
                    : (char) (0x80 + r.nextInt(0x700)));
        }
        return s.toString();
    }

    static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    record Answer(int code, boolean close, String head) {
    }

    /** A raw keep-alive HTTP/1.1 connection that reads one Content-Length framed answer per request. */
    static final class Connection implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        }

        /** Sends the request and reads its answer; null when the server closed without answering. */
        Answer exchange(Generated request) throws IOException {
            if (request.raw != null) {
                out.write(request.raw);
            } else {
                StringBuilder head = new StringBuilder();
                head.append(request.method).append(' ').append(sanitize(request.target)).append(" HTTP/1.1\r\n");
                for (String[] header : request.headers) {
                    head.append(header[0]).append(": ").append(sanitize(header[1])).append("\r\n");
                }
                head.append("Content-Length: ").append(request.body.length).append("\r\n\r\n");
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                out.write(request.body);
            }
            out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    if (head.size() == 0 && request.malformed) {
                        return null;
                    }
                    throw new IOException("connection closed after " + head.size() + " bytes of the answer's head");
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (head.size() > 64 * 1024) {
                    throw new IOException("answer head over 64 KiB");
                }
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int code = Integer.parseInt(text.substring(9, 12));
            String lower = text.toLowerCase(Locale.ROOT);
            boolean close = lower.contains("connection: close");
            int at = lower.indexOf("content-length:");
            if (at < 0) {
                return new Answer(code, true, text);
            }
            int end = lower.indexOf("\r\n", at);
            long length = Long.parseLong(lower.substring(at + 15, end).trim());
            if (!request.method.equals("HEAD")) {
                in.readNBytes((int) length);
            }
            return new Answer(code, close, text);
        }

        /** CR and LF in a generated target or header would frame a different request: replace them. */
        private static String sanitize(String text) {
            return text.replace('\r', '_').replace('\n', '_');
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
