package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Space;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that dies without a normal exit leaves no copy of RocksDB's library in its temporary
 * directory once it loads the library from a directory of its own.
 */
class NativeLibraryTest {
    @TempDir
    Path temp;

    /** A child JVM: loads the library from args[1] unless it is "-", writes to a store in args[0], then halts (no exit hooks, as after SIGKILL). */
    public static void main(String[] args) throws Exception {
        if (!args[1].equals("-")) {
            NativeLibrary.loadFrom(Path.of(args[1])).ifPresent(reason -> {
                throw new IllegalStateException(reason);
            });
        }
        try (RocksStore store = RocksStore.open(Path.of(args[0])); Batch batch = store.batch()) {
            batch.put(Space.META, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
            batch.commit();
        }
        System.out.println("opened");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    @Test
    @Timeout(120)
    void aHaltedProcessLeavesOneCopyInItsOwnDirectoryAndNoneInTmp() throws Exception {
        Path native1 = temp.resolve("node").resolve(NativeLibrary.DIRECTORY);
        Path tmp = Files.createDirectories(temp.resolve("tmp"));
        for (int run = 0; run < 2; run++) {
            child(tmp, temp.resolve("db" + run), native1.toString());
        }
        assertEquals(List.of(), libraries(tmp), "nothing left in java.io.tmpdir");
        assertEquals(1, libraries(native1).size(), "one copy, replaced on each start: " + libraries(native1));

        // The control: RocksDB's own loader leaves its copy behind when the process halts.
        child(tmp, temp.resolve("db-default"), "-");
        assertEquals(1, libraries(tmp).size(), "the default loader's copy: " + libraries(tmp));
    }

    private static void child(Path tmp, Path db, String nativeDir) throws Exception {
        String out = ChildJvm.run(NativeLibraryTest.class, List.of("-Djava.io.tmpdir=" + tmp), db.toString(), nativeDir);
        assertTrue(out.contains("opened"), "child: " + out);
    }

    private static List<Path> libraries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().startsWith("librocksdbjni")).toList();
        }
    }
}
