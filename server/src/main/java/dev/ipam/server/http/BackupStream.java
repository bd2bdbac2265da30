package dev.ipam.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The body of {@code GET /admin/backup} as an output stream: every {@code chunkBytes} written go out
 * as one HTTP chunk, and at most {@code bufferBytesMax} may be handed to the network and not yet sent.
 * The writer (the thread reading the pinned store view) waits for the client to take data, so a
 * backup of any size costs the node a bounded amount of memory; a client that takes nothing for
 * {@code stallMs} breaks the backup off.
 */
final class BackupStream extends OutputStream {
    private final Exchange.Stream stream;
    private final byte[] chunk;
    private final long bufferBytesMax;
    private final long stallMs;
    /** One permit per byte that may be in flight to the network. */
    private final Semaphore inFlight;
    private int used;
    private long sentBytes;
    private long bufferedBytesHighWater;
    private volatile Throwable broken;
    private final java.util.function.BooleanSupplier yield;

    BackupStream(Exchange.Stream stream, int chunkBytes, long bufferBytesMax, long stallMs) {
        this(stream, chunkBytes, bufferBytesMax, stallMs, () -> false);
    }

    /** {@code yield} says when the node needs the view back (stopping, installing a snapshot): the backup ends. */
    BackupStream(Exchange.Stream stream, int chunkBytes, long bufferBytesMax, long stallMs,
                 java.util.function.BooleanSupplier yield) {
        if (chunkBytes <= 0 || chunkBytes > bufferBytesMax || bufferBytesMax > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunkBytes=" + chunkBytes + " must be in 1..bufferBytesMax=" + bufferBytesMax);
        }
        this.stream = stream;
        this.chunk = new byte[chunkBytes];
        this.bufferBytesMax = bufferBytesMax;
        this.stallMs = stallMs;
        this.inFlight = new Semaphore((int) bufferBytesMax);
        this.yield = yield;
    }

    @Override
    public void write(int b) throws IOException {
        if (used == chunk.length) {
            send();
        }
        chunk[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (used == chunk.length) {
                send();
            }
            int n = Math.min(len, chunk.length - used);
            System.arraycopy(b, off, chunk, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void flush() {
        // Chunks are cut by size: a flush of the writer's layers must not send tiny chunks.
    }

    /** Sends what is left and ends the response. */
    void finish() throws IOException {
        send();
        stream.end();
    }

    /** Breaks the response off: the client sees a failed transfer, never a short file that looks whole. */
    void abort() {
        stream.abort();
    }

    long sentBytes() {
        return sentBytes;
    }

    /** The most bytes that were ever handed to the network and not yet sent (at most bufferBytesMax). */
    long bufferedBytesHighWater() {
        return bufferedBytesHighWater;
    }

    /** How often a backup waiting for its client checks whether the node needs it to end. */
    static final long YIELD_CHECK_MS = 100;

    private void yieldIfAsked() throws IOException {
        if (yield.getAsBoolean()) {
            throw new IOException("this node is stopping or installing a snapshot; the backup ended after " + sentBytes
                    + " bytes: back up again, or from another node");
        }
    }

    private void send() throws IOException {
        if (used == 0) {
            return;
        }
        if (broken != null) {
            throw new IOException("sending the backup failed after " + sentBytes + " bytes: " + broken, broken);
        }
        if (!stream.open()) {
            throw new IOException("the client went away after " + sentBytes + " bytes");
        }
        int bytes = used;
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMs);
            while (!inFlight.tryAcquire(bytes, Math.min(stallMs, YIELD_CHECK_MS), TimeUnit.MILLISECONDS)) {
                yieldIfAsked();
                if (System.nanoTime() - deadline >= 0) {
                    throw new IOException("the client took no data for " + stallMs + " ms after " + sentBytes + " bytes");
                }
            }
            yieldIfAsked();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending the backup", e);
        }
        bufferedBytesHighWater = Math.max(bufferedBytesHighWater, bufferBytesMax - inFlight.availablePermits());
        io.netty.channel.ChannelFuture written = stream.write(Arrays.copyOf(chunk, bytes));
        if (written == null) {
            inFlight.release(bytes);
            throw new IOException("the response ended after " + sentBytes + " bytes");
        }
        written.addListener(done -> {
            if (!done.isSuccess()) {
                broken = done.cause();
            }
            inFlight.release(bytes);
        });
        sentBytes += bytes;
        used = 0;
    }
}
