package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A backup ends when its node needs the pinned state back (shutdown, a snapshot install). */
class BackupStreamTest {
    private static final int CHUNK = 1024;

    private static Exchange.Stream stream(EmbeddedChannel channel) {
        Exchange ex = new Exchange("GET", "/admin/backup", new DefaultHttpHeaders(), new byte[0], "test", channel, true,
                new Metrics(), () -> {
                });
        return ex.startStream("application/vnd.ipam.backup");
    }

    @Test
    void aBackupEndsWhenTheNodeAsksForItsStateBack() throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicBoolean yield = new AtomicBoolean();
        BackupStream backup = new BackupStream(stream(channel), CHUNK, 4 * CHUNK, 60_000, yield::get);
        backup.write(new byte[3 * CHUNK]);
        assertEquals(2 * CHUNK, backup.sentBytes(), "whole chunks go out as they fill");

        yield.set(true);
        IOException ended = assertThrows(IOException.class, () -> backup.write(new byte[2 * CHUNK]));
        assertTrue(ended.getMessage().contains("stopping or installing a snapshot"), ended.getMessage());
        assertEquals(2 * CHUNK, backup.sentBytes(), "nothing more is sent once the node asked");
        channel.finishAndReleaseAll();
    }

    @Test
    void aBackupWaitingForASlowClientEndsWithinACheckInterval() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicBoolean yield = new AtomicBoolean();
        BackupStream backup = new BackupStream(stream(channel), CHUNK, CHUNK, 60_000, yield::get);
        // A client that takes nothing: no write ever completes, so the buffer's permits stay taken.
        channel.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        backup.write(new byte[CHUNK + 1]); // the first chunk takes the whole buffer and is never acknowledged
        java.util.concurrent.CompletableFuture<IOException> writing = new java.util.concurrent.CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                backup.write(new byte[CHUNK]);
                writing.complete(null);
            } catch (IOException e) {
                writing.complete(e);
            }
        }, "backup-writer");
        long start = System.nanoTime();
        writer.start();
        // Ask only once the writer waits for its client, so the wait itself is what must end.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> writer.getState() == Thread.State.TIMED_WAITING);
        yield.set(true);
        IOException ended = writing.get(30, java.util.concurrent.TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ended != null && ended.getMessage().contains("stopping or installing a snapshot"), String.valueOf(ended));
        assertTrue(waitedMs < 30_000, "ended by the node's request, not by the 60 s stall: " + waitedMs + " ms");
        writer.join();
        channel.finishAndReleaseAll();
    }
}
