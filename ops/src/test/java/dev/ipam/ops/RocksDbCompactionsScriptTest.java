package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/rocksdb-compactions.sh: per-family sums from RocksDB's event lines, over the LOG and its older files. */
class RocksDbCompactionsScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 30;

    @TempDir
    Path temp;

    /** An event line as RocksDB 10 writes it; finished events carry an "(Original Log Time ...)" prefix. */
    private static String started(int job, String family, String reason, long inputBytes) {
        return "2026/11/24-03:18:42.003430 139829656417984 EVENT_LOG_v1 {\"time_micros\": 1795490322003418, \"job\": "
                + job + ", \"event\": \"compaction_started\", \"cf_name\": \"" + family + "\", \"compaction_reason\": \""
                + reason + "\", \"files_L0\": [15], \"score\": 0.25, \"input_data_size\": " + inputBytes
                + ", \"oldest_snapshot_seqno\": -1}";
    }

    private static String finished(int job, long cpuMicros, long outputBytes) {
        return "2026/11/24-03:18:42.123315 139829656417984 (Original Log Time 2026/11/24-03:18:42.123263) EVENT_LOG_v1"
                + " {\"time_micros\": 1795490322123253, \"job\": " + job + ", \"event\": \"compaction_finished\","
                + " \"compaction_time_micros\": 119101, \"compaction_time_cpu_micros\": " + cpuMicros
                + ", \"output_level\": 6, \"num_output_files\": 1, \"total_output_size\": " + outputBytes
                + ", \"num_input_records\": 86650, \"lsm_state\": [2, 0, 0, 0, 0, 0, 0]}";
    }

    private static String row(String family, String cpu, String read, String written, int count, int level0, int bottom) {
        return String.format("  %-20s %8s %9s %11s %12d %7d %11d", family, cpu, read, written, count, level0, bottom);
    }

    @Test
    void sumsEachFamilysCompactionsAcrossTheLogAndItsOlderFiles() throws Exception {
        Path db = Files.createDirectories(temp.resolve("db"));
        // The older file: job 7 is objects there; in the newer LOG job 7 is another family's
        // (numbers restart at each open), and job 9 starts but does not finish.
        Files.write(db.resolve("LOG.old.1795490000000000"), List.of(
                "2026/11/24-03:10:00.000000 1 [db/db_impl.cc:123] some other line",
                started(7, "objects", "LevelL0FilesNum", 100_000_000),
                finished(7, 2_500_000, 90_000_000)));
        Files.write(db.resolve("LOG"), List.of(
                started(7, "requests", "BottommostFiles", 5_000_000),
                started(8, "objects", "BottommostFiles", 20_000_000),
                finished(7, 250_000, 4_900_000),
                finished(8, 1_000_000, 19_000_000),
                started(9, "index", "LevelL0FilesNum", 8_000_000)));
        OpsScripts.Run run = OpsScripts.run(temp, Map.of(), SCRIPT_TIMEOUT_S, "ops/rocksdb-compactions.sh", db.toString());
        assertEquals(0, run.exit(), run.output());
        List<String> lines = run.output().lines().toList();
        assertEquals("compactions by column family (" + db + ", 2 LOG file(s)):", lines.get(0), run.output());
        assertEquals(List.of(
                row("objects", "3.50", "120.0", "109.0", 2, 1, 1),
                row("requests", "0.25", "5.0", "4.9", 1, 0, 1),
                row("total", "3.75", "125.0", "113.9", 3, 1, 2)), lines.subList(2, lines.size()), run.output());
    }

    @Test
    void saysSoWhenNoCompactionFinishedAndRefusesADirectoryWithoutALog() throws Exception {
        Path db = Files.createDirectories(temp.resolve("db"));
        Files.write(db.resolve("LOG"), List.of(started(1, "objects", "LevelL0FilesNum", 1)));
        OpsScripts.Run none = OpsScripts.run(temp, Map.of(), SCRIPT_TIMEOUT_S, "ops/rocksdb-compactions.sh", db.toString());
        assertEquals(0, none.exit(), none.output());
        assertTrue(none.output().contains("  no compactions finished"), none.output());

        OpsScripts.Run missing = OpsScripts.run(temp, Map.of(), SCRIPT_TIMEOUT_S, "ops/rocksdb-compactions.sh",
                temp.resolve("nothing").toString());
        assertEquals(1, missing.exit(), missing.output());
        assertTrue(missing.output().contains("no RocksDB info LOG in"), missing.output());
        OpsScripts.Run usage = OpsScripts.run(temp, Map.of(), SCRIPT_TIMEOUT_S, "ops/rocksdb-compactions.sh");
        assertEquals(2, usage.exit(), usage.output());
        assertTrue(usage.output().contains("ops/rocksdb-compactions.sh DB_DIR"), usage.output());
    }
}
