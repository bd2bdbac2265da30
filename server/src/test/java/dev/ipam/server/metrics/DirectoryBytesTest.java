package dev.ipam.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NodeMetrics.directoryBytes, behind ipam_disk_bytes: every regular file below, and none lost to a file deleted meanwhile. */
class DirectoryBytesTest {
    @TempDir
    Path temp;

    @Test
    void sumsTheRegularFilesBelowADirectory() throws Exception {
        Path db = Files.createDirectories(temp.resolve("db/sub"));
        Files.write(temp.resolve("db/a"), new byte[100]);
        Files.write(db.resolve("b"), new byte[23]);
        assertEquals(123, NodeMetrics.directoryBytes(temp.resolve("db")));
        assertEquals(0, NodeMetrics.directoryBytes(temp.resolve("missing")));
    }

    /**
     * RocksDB deletes files while the gauge walks its directory. A walk that met a deleted file used to
     * fail as a whole and report 0; a file that stays must always be counted.
     */
    @Test
    void aFileDeletedDuringTheWalkDoesNotLoseTheOthers() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("churn"));
        Files.write(dir.resolve("stays"), new byte[4096]);
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = new Thread(() -> {
            for (long i = 0; !stop.get() && i < 5_000_000; i++) {
                Path file = dir.resolve("tmp-" + (i % 64));
                try {
                    if (i % 2 == 0) {
                        Files.write(file, new byte[1]);
                    } else {
                        Files.deleteIfExists(dir.resolve("tmp-" + ((i - 1) % 64)));
                    }
                } catch (Exception e) {
                    return;
                }
            }
        }, "churn");
        churn.start();
        try {
            long end = System.nanoTime() + 3_000_000_000L;
            int walks = 0;
            while (System.nanoTime() < end && walks < 20_000) {
                long bytes = NodeMetrics.directoryBytes(dir);
                assertTrue(bytes >= 4096, "walk " + walks + " counted " + bytes + " bytes");
                walks++;
            }
            assertTrue(walks > 100, "walks: " + walks);
        } finally {
            stop.set(true);
            churn.join(10_000);
        }
    }
}
