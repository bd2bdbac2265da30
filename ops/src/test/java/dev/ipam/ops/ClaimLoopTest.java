package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The load generator's selector loop, run against a small blocking HTTP/1.1 server on 127.0.0.1. */
class ClaimLoopTest {
    private static final String CREATED = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n"
            + "{\"kind\":\"x\"}\n";
    private static final String UNAVAILABLE = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

    /** A blocking HTTP/1.1 server on 127.0.0.1 answering request n (from 0, over all connections) with {@code answers}. */
    private static final class Server implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();
        final List<String> names = new CopyOnWriteArrayList<>();
        final List<Socket> open = new CopyOnWriteArrayList<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final IntFunction<String> answers;
        private final boolean closeAfterEach;

        Server(IntFunction<String> answers, boolean closeAfterEach) throws IOException {
            this.answers = answers;
            this.closeAfterEach = closeAfterEach;
            socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "fake-http-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    connections.incrementAndGet();
                    open.add(connection);
                    Thread serve = new Thread(() -> serve(connection), "fake-http");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket connection) {
            try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
                Pattern contentLength = Pattern.compile("(?i)content-length: *(\\d+)");
                Pattern name = Pattern.compile("\"name\":\"([^\"]+)\"");
                while (true) {
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        head.write(b);
                    }
                    Matcher length = contentLength.matcher(head.toString(StandardCharsets.ISO_8859_1));
                    byte[] body = in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
                    Matcher named = name.matcher(new String(body, StandardCharsets.UTF_8));
                    names.add(named.find() ? named.group(1) : "?");
                    out.write(answers.apply(requests.getAndIncrement()).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (closeAfterEach) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : open) {
                connection.close();
            }
        }
    }

    private record Run(int claims, long errors, Map<Integer, AtomicLong> statuses, long[] latencies) {
    }

    /** A run of {@code millis} (0: the end is due as soon as the first requests are out). */
    private static Run run(InetSocketAddress target, int concurrency, long millis, int claimsMax) {
        long[] latencies = new long[claimsMax];
        AtomicInteger slots = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        byte[] head = LoadGen.Http.headTail("h:1");
        ClaimLoop.Requests requests = (connection, sequence) -> LoadGen.Http.request("POST", "/claims", head,
                "{\"name\":\"w" + connection + "-" + sequence + "\"}");
        new ClaimLoop(List.of(target), concurrency, System.nanoTime() + millis * 1_000_000L, requests, latencies, slots,
                errors, statuses).run();
        return new Run(Math.min(slots.get(), claimsMax), errors.get(), statuses, latencies);
    }

    @Test
    void everyClientKeepsOneConnectionAndEveryClaimIsCountedOnce() throws IOException {
        try (Server server = new Server(n -> CREATED, false)) {
            Run run = run(server.address(), 8, 400, 1_000_000);
            assertEquals(0, run.errors(), () -> "errors " + run.statuses());
            assertTrue(run.claims() > 8, "claims " + run.claims());
            assertEquals(8, server.connections.get(), "one keep-alive connection per client");
            assertEquals(run.claims(), server.names.size(), "every request answered 201 is counted, once");
            assertEquals(run.claims(), new HashSet<>(server.names).size(), "request names are unique");
            Set<String> clients = new HashSet<>();
            for (String name : server.names) {
                assertTrue(name.matches("w[0-7]-\\d+"), name);
                clients.add(name.substring(0, name.indexOf('-')));
            }
            assertEquals(8, clients.size(), "all clients sent");
            for (int i = 0; i < run.claims(); i++) {
                assertTrue(run.latencies()[i] > 0, "latency " + i);
            }
        }
    }

    @Test
    void theRunStopsWhenTheLatencyTableIsFull() throws IOException {
        try (Server server = new Server(n -> CREATED, false)) {
            Run run = run(server.address(), 4, 15_000, 50);
            assertEquals(50, run.claims());
            // Had it run on for its 15 s, the server would have seen thousands of requests.
            assertTrue(server.names.size() <= 50 + 4, "at most one request per client after the table filled: "
                    + server.names.size());
        }
    }

    @Test
    void unavailableAnswersAndClosedConnectionsAreCountedAndTheClientsCarryOn() throws IOException {
        try (Server server = new Server(n -> n % 2 == 0 ? UNAVAILABLE : CREATED, false)) {
            Run run = run(server.address(), 4, 400, 1_000_000);
            assertTrue(run.claims() > 0 && run.statuses().get(503).get() > 0, "claims " + run.claims() + " " + run.statuses());
            assertEquals(run.errors(), run.statuses().get(503).get(), "503s are the only errors: " + run.statuses());
            assertEquals(4, server.connections.get(), "a 503 keeps the connection");
        }
        try (Server server = new Server(n -> CREATED, true)) {
            Run run = run(server.address(), 4, 400, 1_000_000);
            assertTrue(run.claims() > 4, "claims " + run.claims());
            assertTrue(run.statuses().get(-1).get() > 0, "requests on closed connections fail: " + run.statuses());
            assertTrue(server.connections.get() > 4, "clients reconnect: " + server.connections.get());
        }
    }

    @Test
    void nobodyListeningGivesConnectionErrorsWithBackOffBetweenThem() throws IOException {
        InetSocketAddress closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
        Run run = run(closed, 3, 300, 1000);
        assertEquals(0, run.claims());
        assertTrue(run.errors() >= 3 && run.errors() == run.statuses().get(-1).get(), "errors " + run.statuses());
        // 3 clients backing off 20 ms between attempts make a few dozen in 300 ms, not thousands.
        assertTrue(run.errors() <= 3 * (300 / 20 + 2), "errors " + run.errors());
    }

    @Test
    void requestsInFlightAtTheEndAreAwaitedAndCounted() throws IOException {
        try (Server server = new Server(n -> CREATED, false)) {
            Run run = run(server.address(), 2, 0, 1000);
            assertEquals(2, run.claims(), "each client's first request went out before the end and is counted");
            assertEquals(0, run.errors());
            assertEquals(2, server.names.size(), "no request after the end");
            assertTrue(run.latencies()[0] > 0 && run.latencies()[1] > 0);
        }
    }
}
