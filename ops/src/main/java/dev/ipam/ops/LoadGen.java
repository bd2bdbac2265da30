package dev.ipam.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Claims load against a running cluster over HTTP, the way workloads use it: creates a Project and
 * an IPPool, then POSTs IPClaims from N concurrent clients (one keep-alive connection each, one
 * request at a time, all driven by one selector thread: {@link ClaimLoop}) for a bounded time and
 * count per concurrency level, printing a progress line every second and, per
 * level, claims/s and p50/p99/p999 latency of the successful creates.
 *
 * <p>The HTTP client is a deliberately small HTTP/1.1 writer/reader over a socket: on a 2-core
 * machine the generator shares the CPU with the servers, and a heavyweight client would measure
 * itself.
 */
@Command(name = "ipam-loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Creates IPClaims against ipamd over HTTP at several concurrency levels and prints throughput and latency.")
public final class LoadGen implements Callable<Integer> {
    private static final String PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
    private static final int WARMUP_CONCURRENCY = 64;

    @Option(names = "--server", split = ",", description = "HTTP base URL(s); clients spread over them (default http://127.0.0.1:8081)")
    List<String> servers = List.of("http://127.0.0.1:8081");
    @Option(names = "--to-leader", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "send every claim to the leader's HTTP address, found from /admin/cluster (default true; --no-to-leader spreads over --server)")
    boolean toLeader = true;
    @Option(names = "--concurrency", split = ",", description = "levels to run (default 1,16,64,256)")
    List<Integer> levels = List.of(1, 16, 64, 256);
    @Option(names = "--duration-s", description = "seconds per level (default 10)")
    int durationS = 10;
    @Option(names = "--claims-max", description = "claims per level at most (default 300000)")
    int claimsMax = 300_000;
    @Option(names = "--project", description = "project to create and use (default loadgen)")
    String project = "loadgen";
    @Option(names = "--pool", description = "pool to create and use (default loadgen-pool)")
    String pool = "loadgen-pool";
    @Option(names = "--cidr", description = "the pool's CIDR (default 10.0.0.0/8)")
    String cidr = "10.0.0.0/8";
    @Option(names = "--prefix-length", description = "prefix length of each claim (default 32)")
    int prefixLength = 32;
    @Option(names = "--warmup-s", description = "seconds of claims at concurrency 64 before the measured levels, left out of"
            + " the figures, so a fresh JVM's compilation does not count (default 0)")
    int warmupS = 0;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGen()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (durationS < 1 || durationS > 3600 || claimsMax < 1 || claimsMax > 10_000_000 || warmupS < 0 || warmupS > 3600) {
            System.err.println("loadgen: --duration-s must be 1..3600, --warmup-s 0..3600 and --claims-max 1..10000000");
            return 2;
        }
        for (int level : levels) {
            if (level < 1 || level > 4096) {
                System.err.println("loadgen: --concurrency " + level + ": use 1..4096");
                return 2;
            }
        }
        List<URI> targets = servers.stream().map(URI::create).toList();
        if (toLeader) {
            targets = List.of(leader(targets.get(0)));
        }
        System.out.println("loadgen: claims to " + targets + ", /" + prefixLength + " from " + cidr + ", "
                + durationS + " s or " + claimsMax + " claims per level");
        setUp(targets.get(0));
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "%-11s %9s %9s %9s %9s %9s %8s", "concurrency", "claims", "claims/s",
                "p50 ms", "p99 ms", "p999 ms", "errors"));
        if (warmupS > 0) {
            System.out.println("warm-up (not counted): " + runLevel(targets, WARMUP_CONCURRENCY, warmupS, run + "-w"));
        }
        for (int i = 0; i < levels.size(); i++) {
            summary.add(runLevel(targets, levels.get(i), durationS, run + "-" + i));
        }
        System.out.println();
        summary.forEach(System.out::println);
        if (rateLimited) {
            System.out.println(RATE_LIMITED);
        }
        return 0;
    }

    /** Printed after the table when a level was answered 429: the figures are the limit's, not the cluster's. */
    static final String RATE_LIMITED = "loadgen: answers of 429 came from the servers' per-client rate limit"
            + " (http-requests-per-second, default 5000; this generator is one client). To measure beyond it,"
            + " start ipamd with --http-requests-per-second 0 (ops/local-cluster.sh up -n 3 -- --http-requests-per-second 0).";
    private boolean rateLimited;

    private void setUp(URI server) throws IOException {
        try (Http http = new Http(server)) {
            Http.Response project = http.send("POST", PROJECTS, "{\"apiVersion\":\"resourcemanager.miloapis.com/v1alpha1\","
                    + "\"kind\":\"Project\",\"metadata\":{\"name\":\"" + this.project + "\"}}");
            expectCreated("project " + this.project, project);
            String family = cidr.contains(":") ? "IPv6" : "IPv4";
            Http.Response created = http.send("POST", controlPlane() + "/apis/ipam.miloapis.com/v1alpha1/ippools",
                    "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPPool\",\"metadata\":{\"name\":\"" + pool
                            + "\"},\"spec\":{\"cidr\":\"" + cidr + "\",\"ipFamily\":\"" + family + "\"}}");
            expectCreated("pool " + pool, created);
        }
    }

    /** The leader's HTTP address as {@code server} reports it in /admin/cluster. */
    private static URI leader(URI server) throws IOException {
        try (Http http = new Http(server)) {
            Http.Response status = http.send("GET", "/admin/cluster", "");
            java.util.regex.Matcher leader = java.util.regex.Pattern.compile("\"leaderId\"\\s*:\\s*\"([^\"]+)\"").matcher(status.body());
            if (status.status() != 200 || !leader.find()) {
                throw new IllegalStateException("no leader in /admin/cluster of " + server + ": " + status.status() + " " + status.body());
            }
            java.util.regex.Matcher member = java.util.regex.Pattern.compile("\\{[^{}]*\"id\"\\s*:\\s*\"" + java.util.regex.Pattern.quote(leader.group(1))
                    + "\"[^{}]*\"httpAddress\"\\s*:\\s*\"([^\"]+)\"").matcher(status.body());
            if (!member.find()) {
                throw new IllegalStateException("leader " + leader.group(1) + " has no httpAddress in " + status.body());
            }
            return URI.create("http://" + member.group(1));
        }
    }

    private static void expectCreated(String what, Http.Response response) {
        if (response.status() != 201 && response.status() != 409) {
            throw new IllegalStateException("creating " + what + " answered " + response.status() + ": " + response.body());
        }
    }

    private String controlPlane() {
        return PROJECTS + "/" + project + "/control-plane";
    }

    private String runLevel(List<URI> targets, int concurrency, int seconds, String run) throws InterruptedException {
        String path = controlPlane() + "/apis/ipam.miloapis.com/v1alpha1/namespaces/default/ipclaims";
        String family = cidr.contains(":") ? "IPv6" : "IPv4";
        long[] latencies = new long[claimsMax];
        AtomicInteger slots = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<java.net.InetSocketAddress> addresses = targets.stream()
                .map(t -> new java.net.InetSocketAddress(t.getHost(), t.getPort())).toList();
        byte[][] heads = targets.stream().map(t -> Http.headTail(t.getHost() + ":" + t.getPort())).toArray(byte[][]::new);
        ClaimLoop.Requests requests = (connection, sequence) -> {
            String body = "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPClaim\",\"metadata\":{\"name\":\"lg-"
                    + run + "-c" + concurrency + "-w" + connection + "-" + sequence + "\"},\"spec\":{\"ipFamily\":\""
                    + family + "\",\"prefixLength\":" + prefixLength + ",\"poolRef\":{\"name\":\"" + pool + "\"}}}";
            return Http.request("POST", path, heads[connection % heads.length], body);
        };
        Thread loop = new Thread(new ClaimLoop(addresses, concurrency, end, requests, latencies, slots, errors, statuses),
                "loadgen-c" + concurrency);
        loop.setDaemon(true);
        loop.start();
        int lastDone = 0;
        long lastTime = start;
        while (loop.isAlive()) {
            loop.join(1000);
            long now = System.nanoTime();
            int done = Math.min(slots.get(), claimsMax);
            if (now - lastTime >= 900_000_000L) {
                System.out.printf(Locale.ROOT, "  concurrency %4d  %5.1fs  claims %8d  %8.0f/s now  errors %d%s%n", concurrency,
                        (now - start) / 1e9, done, (done - lastDone) / ((now - lastTime) / 1e9), errors.get(),
                        statuses.isEmpty() ? "" : " " + new TreeMap<>(statuses));
                lastDone = done;
                lastTime = now;
            }
        }
        long elapsed = System.nanoTime() - start;
        rateLimited |= statuses.containsKey(429);
        int done = Math.min(slots.get(), claimsMax);
        long[] sorted = Arrays.copyOf(latencies, done);
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%-11d %9d %9.0f %9.2f %9.2f %9.2f %8d%s", concurrency, done, done / (elapsed / 1e9),
                percentileMs(sorted, 0.50), percentileMs(sorted, 0.99), percentileMs(sorted, 0.999), errors.get(),
                statuses.isEmpty() ? "" : " " + new TreeMap<>(statuses));
    }

    private static double percentileMs(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /**
     * One keep-alive HTTP/1.1 connection; requests are sent one at a time. A request goes out in one
     * write (head and body together: one segment, so the server reads it in one go), and responses
     * are parsed from this connection's own buffer, not byte by byte through a synchronized stream.
     */
    static final class Http implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream input;
        private final byte[] hostHeader;
        /** Bytes received and not yet consumed: {@code in[0, inLength)}. */
        private byte[] in = new byte[16 * 1024];
        private int inLength;

        record Response(int status, String body) {
        }

        Http(URI server) throws IOException {
            this(connect(server), server.getHost() + ":" + server.getPort());
        }

        private Http(Socket socket, String host) throws IOException {
            this(socket, socket.getInputStream(), socket.getOutputStream(), host);
        }

        /** Over given streams (tests); {@code socket} may be null. */
        Http(Socket socket, InputStream in, OutputStream out, String host) {
            this.socket = socket;
            this.input = in;
            this.out = out;
            this.hostHeader = headTail(host);
        }

        private static Socket connect(URI server) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5000);
                socket.setSoTimeout(30_000);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** The part of a request's head from after its path to the Content-Length value, for {@code host}. */
        static byte[] headTail(String host) {
            return (" HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        }

        /** A request's bytes, head and body together (one write: one segment, read by the server in one go). */
        static byte[] request(String method, String path, byte[] headTail, String body) {
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream request = new ByteArrayOutputStream(headTail.length + payload.length + 256);
            request.writeBytes((method + " " + path).getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(headTail);
            request.writeBytes((payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(payload);
            return request.toByteArray();
        }

        Response send(String method, String path, String body) throws IOException {
            out.write(request(method, path, hostHeader, body)); // one write
            out.flush();
            HttpFraming.Framed response;
            while ((response = HttpFraming.frame(in, inLength)) == null) {
                in = HttpFraming.room(in, inLength);
                int read = input.read(in, inLength, in.length - inLength);
                if (read < 0) {
                    throw new IOException(inLength == 0 ? "connection closed" : "connection closed mid-response");
                }
                inLength += read;
            }
            byte[] content = HttpFraming.body(in, response);
            System.arraycopy(in, response.end(), in, 0, inLength - response.end());
            inLength -= response.end();
            return new Response(response.status(), new String(content, StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            try {
                if (socket != null) {
                    socket.close();
                } else {
                    input.close();
                    out.close();
                }
            } catch (IOException e) {
                // closing a connection we are done with
            }
        }
    }
}
