package dev.ipam.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One concurrency level of the load generator: {@code concurrency} keep-alive connections, each
 * with one request outstanding at a time (a closed loop, like that many blocking clients), driven
 * by one selector thread. With a thread per connection, every response woke its own thread: at
 * c=64 the generator spent 44 us of CPU per claim, half of it in the kernel, on a machine whose two
 * cores it shares with the servers it measures.
 *
 * <p>Counts go into the caller's counters as responses arrive, so another thread can print
 * progress; {@link #run} returns when the time is up (or {@code latencies} is full) and the
 * requests in flight have been answered, failed, or outlived {@link #REQUEST_TIMEOUT_NS}.
 */
final class ClaimLoop implements Runnable {
    /** A request unanswered this long fails, and its connection is closed. */
    static final long REQUEST_TIMEOUT_NS = 30_000_000_000L;
    /** A connection that failed, or was answered 503 or 429, waits this long before its next request. */
    static final long BACKOFF_NS = 20_000_000L;
    /** How often connections are checked for time-outs and the end of their back-off. */
    private static final long SWEEP_NS = 5_000_000L;

    /** The request a connection sends next: its bytes for the {@code sequence}-th request of connection {@code connection}. */
    interface Requests {
        byte[] request(int connection, int sequence);
    }

    private final List<InetSocketAddress> targets;
    private final int concurrency;
    private final long endNanos;
    private final Requests requests;
    private final long[] latencies;
    private final AtomicInteger slots;
    private final AtomicLong errors;
    private final Map<Integer, AtomicLong> statuses;

    /**
     * @param latencies filled with the latency (ns) of each 201, in {@code slots} order; the run ends when full
     * @param statuses  counts of each non-201 outcome by status (-1: the connection failed)
     */
    ClaimLoop(List<InetSocketAddress> targets, int concurrency, long endNanos, Requests requests, long[] latencies,
              AtomicInteger slots, AtomicLong errors, Map<Integer, AtomicLong> statuses) {
        this.targets = targets;
        this.concurrency = concurrency;
        this.endNanos = endNanos;
        this.requests = requests;
        this.latencies = latencies;
        this.slots = slots;
        this.errors = errors;
        this.statuses = statuses;
    }

    private final class Connection {
        final int id;
        final InetSocketAddress target;
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer out;
        byte[] in = new byte[16 * 1024];
        int inLength;
        int sequence;
        long sentAt;
        /** A request is outstanding (connecting, writing or awaiting its response). */
        boolean busy;
        /** When idle after a failure or a 503/429: the time to send again (0 = not waiting). */
        long resumeAt;

        Connection(int id, InetSocketAddress target) {
            this.id = id;
            this.target = target;
        }
    }

    private boolean full;

    @Override
    public void run() {
        Connection[] connections = new Connection[concurrency];
        try (Selector selector = Selector.open()) {
            long now = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                connections[i] = new Connection(i, targets.get(i % targets.size()));
                send(selector, connections[i], now);
            }
            long nextSweep = now + SWEEP_NS;
            while (true) {
                now = System.nanoTime();
                boolean ending = full || now >= endNanos;
                if (now >= nextSweep || ending) {
                    nextSweep = now + SWEEP_NS;
                    if (!sweep(selector, connections, now, ending)) {
                        break;
                    }
                }
                selector.select(Math.max(1, (nextSweep - now) / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection connection = (Connection) key.attachment();
                    try {
                        ready(selector, connection, key);
                    } catch (IOException | RuntimeException e) {
                        fail(connection, -1, System.nanoTime());
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("loadgen selector", e);
        } finally {
            for (Connection connection : connections) {
                if (connection != null) {
                    close(connection);
                }
            }
        }
    }

    /** Times out stale requests and resumes connections whose back-off is over; false when the run is over. */
    private boolean sweep(Selector selector, Connection[] connections, long now, boolean ending) {
        boolean busy = false;
        for (Connection connection : connections) {
            if (connection.busy && now - connection.sentAt > REQUEST_TIMEOUT_NS) {
                fail(connection, -1, now);
            }
            if (!connection.busy && connection.resumeAt != 0 && now >= connection.resumeAt && !ending) {
                connection.resumeAt = 0;
                send(selector, connection, now);
            }
            busy |= connection.busy;
        }
        return !ending || busy;
    }

    private void ready(Selector selector, Connection connection, SelectionKey key) throws IOException {
        if (key.isConnectable()) {
            connection.channel.finishConnect();
            write(connection);
            return;
        }
        if (key.isWritable()) {
            write(connection);
            return;
        }
        if (!key.isReadable()) {
            return;
        }
        connection.in = HttpFraming.room(connection.in, connection.inLength);
        int read = connection.channel.read(ByteBuffer.wrap(connection.in, connection.inLength,
                connection.in.length - connection.inLength));
        if (read < 0) {
            throw new IOException("connection closed");
        }
        connection.inLength += read;
        HttpFraming.Framed response = HttpFraming.frame(connection.in, connection.inLength);
        if (response == null) {
            return;
        }
        long now = System.nanoTime();
        System.arraycopy(connection.in, response.end(), connection.in, 0, connection.inLength - response.end());
        connection.inLength -= response.end();
        connection.busy = false;
        connection.key.interestOps(0); // idle until its next request: a close by the server now is no failure
        if (response.status() == 201) {
            int slot = slots.getAndIncrement();
            if (slot >= latencies.length) {
                full = true;
                return;
            }
            latencies[slot] = now - connection.sentAt;
        } else {
            count(response.status());
            if (response.status() == 503 || response.status() == 429) {
                connection.resumeAt = now + BACKOFF_NS;
                return;
            }
        }
        if (!full && now < endNanos) {
            send(selector, connection, now);
        }
    }

    /** Starts the connection's next request, connecting first when it has no open connection. */
    private void send(Selector selector, Connection connection, long now) {
        connection.busy = true;
        connection.sentAt = now;
        connection.out = ByteBuffer.wrap(requests.request(connection.id, connection.sequence++));
        try {
            if (connection.channel == null) {
                SocketChannel channel = SocketChannel.open();
                connection.channel = channel;
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connection.key = channel.register(selector, 0, connection);
                if (!channel.connect(connection.target)) {
                    connection.key.interestOps(SelectionKey.OP_CONNECT);
                    return;
                }
            }
            write(connection);
        } catch (IOException | RuntimeException e) {
            fail(connection, -1, now);
        }
    }

    private void write(Connection connection) throws IOException {
        connection.channel.write(connection.out);
        connection.key.interestOps(connection.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void fail(Connection connection, int status, long now) {
        count(status);
        close(connection);
        connection.busy = false;
        connection.resumeAt = now + BACKOFF_NS;
    }

    private void count(int status) {
        errors.incrementAndGet();
        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    private static void close(Connection connection) {
        if (connection.channel != null) {
            try {
                connection.channel.close();
            } catch (IOException e) {
                // a connection we are done with
            }
        }
        connection.channel = null;
        connection.key = null;
        connection.inLength = 0;
    }
}
