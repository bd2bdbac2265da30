package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

class BatchRepTest {
    static {
        RocksDB.loadLibrary();
    }

    @TempDir
    Path temp;

    /** Byte for byte what RocksDB's own WriteBatch builds, for every record kind and length encoding. */
    @Test
    void serializesExactlyAsRocksDbsWriteBatch() throws Exception {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        descriptors.add(new ColumnFamilyDescriptor("a".getBytes(StandardCharsets.UTF_8)));
        descriptors.add(new ColumnFamilyDescriptor("b".getBytes(StandardCharsets.UTF_8)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(options, temp.toString(), descriptors, handles)) {
            try {
                check(db, handles.get(1), handles.get(2));
            } finally {
                for (ColumnFamilyHandle handle : handles) { // before the database closes
                    handle.close();
                }
            }
        }
    }

    private static void check(RocksDB db, ColumnFamilyHandle a, ColumnFamilyHandle b) throws Exception {
        byte[] longKey = new byte[200]; // its length takes two varint bytes
        longKey[0] = 'k';
        byte[] longValue = new byte[70_000]; // three
        for (int i = 0; i < longValue.length; i++) {
            longValue[i] = (byte) (i * 31);
        }
        BatchRep rep = new BatchRep();
        rep.put(99, new byte[] {9}, new byte[] {9}); // left over from a failed batch
        rep.clear();
        byte[] built;
        try (WriteBatch expected = new WriteBatch()) {
            expected.put(a, new byte[] {1, 2}, new byte[] {3});
            rep.put(a.getID(), new byte[] {1, 2}, new byte[] {3});
            expected.delete(b, new byte[] {4});
            rep.delete(b.getID(), new byte[] {4});
            expected.put(b, longKey, longValue);
            rep.put(b.getID(), longKey, longValue);
            expected.put(a, new byte[] {5}, new byte[0]);
            rep.put(a.getID(), new byte[] {5}, new byte[0]);
            expected.put(new byte[] {6}, new byte[] {7}); // the default family: records without an id
            rep.put(0, new byte[] {6}, new byte[] {7});
            expected.delete(new byte[] {6});
            rep.delete(0, new byte[] {6});
            assertEquals(6, rep.count());
            built = rep.take();
            assertArrayEquals(expected.data(), built);
        }
        assertEquals(0, rep.count(), "taken: empty for the next batch");

        try (WriteBatch batch = new WriteBatch(built); WriteOptions write = new WriteOptions();
             ReadOptions read = new ReadOptions()) {
            db.write(write, batch);
            assertArrayEquals(longValue, db.get(b, read, longKey));
            assertArrayEquals(new byte[0], db.get(a, read, new byte[] {5}));
            assertNull(db.get(b, read, new byte[] {4}));
            assertNull(db.get(read, new byte[] {6}));
        }
        rep.put(a.getID(), new byte[] {8}, new byte[] {8});
        assertEquals(1, rep.count());
        try (WriteBatch one = new WriteBatch()) {
            one.put(a, new byte[] {8}, new byte[] {8});
            assertArrayEquals(one.data(), rep.take(), "the next batch starts clean");
        }
    }
}
