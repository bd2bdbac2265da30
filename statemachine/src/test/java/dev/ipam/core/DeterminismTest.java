package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Export;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Replicas agree: the same commands applied to two fresh stores give byte-identical exports and
 * results, whether commands come one per batch or many per batch (one Raft entry).
 */
class DeterminismTest {
    static List<Command> commands(long seed) {
        Random random = new Random(seed);
        List<Command> out = new ArrayList<>();
        out.add(Harness.project("p"));
        out.add(Harness.project("q", 100L, 100_000L));
        Strategy[] strategies = Strategy.values();
        for (int i = 0; i < 6; i++) {
            String cidr = i % 2 == 0 ? "10." + i + ".0.0/16" : "2001:db8:" + i + "::/48";
            out.add(Harness.pool("p", "pool" + i, cidr, strategies[i % 3]));
        }
        out.add(new Command.CreatePool(Harness.ACTOR, "p", "child", null, null, new IPPool.Spec(null, null,
                new Refs.LocalRef("pool0"), 20, null, null, null)));
        for (int i = 0; i < 400; i++) {
            int pool = random.nextInt(6);
            IPFamily family = pool % 2 == 0 ? IPFamily.IPv4 : IPFamily.IPv6;
            int length = family == IPFamily.IPv4 ? 20 + random.nextInt(12) : 56 + random.nextInt(40);
            String project = random.nextBoolean() ? "p" : "q";
            if (random.nextInt(3) == 0) {
                out.add(Harness.deleteClaim(project, "c" + random.nextInt(i + 1)));
            } else {
                out.add(Harness.claim(project, "c" + i, family, length, "pool" + pool));
            }
        }
        return out;
    }

    @Test
    void sameCommandsGiveByteIdenticalState() throws Exception {
        List<Command> commands = commands(42);
        Harness one = new Harness(new MemoryStore());
        Harness two = new Harness(new MemoryStore());
        List<Result> first = new ArrayList<>();
        for (Command command : commands) {
            first.add(one.run(command));
        }
        for (int i = 0; i < commands.size(); i++) {
            assertEquals(first.get(i), two.run(commands.get(i)), "result of command " + i);
        }
        assertArrayEquals(one.export(), two.export());

        // Many commands per batch at one index, as a Raft entry carries them, on a restored copy.
        Store batched = new MemoryStore();
        Ipam ipam = new Ipam();
        int at = 0;
        long index = 0;
        while (at < commands.size()) {
            index++;
            try (Batch batch = batched.batch()) {
                for (int k = 0; k < 50 && at < commands.size(); k++, at++) {
                    ipam.apply(batch, index, 1000 * index, Codec.encodeCommand(commands.get(at)));
                }
                batch.commit();
            }
        }
        Store again = new MemoryStore();
        index = 0;
        at = 0;
        while (at < commands.size()) {
            index++;
            try (Batch batch = again.batch()) {
                for (int k = 0; k < 50 && at < commands.size(); k++, at++) {
                    ipam.apply(batch, index, 1000 * index, Codec.encodeCommand(commands.get(at)));
                }
                batch.commit();
            }
        }
        assertArrayEquals(export(batched), export(again));
        MemoryStore restored = new MemoryStore();
        Export.restore(new ByteArrayInputStream(export(batched)), restored);
        assertArrayEquals(export(batched), export(restored));
    }

    static byte[] export(Store store) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Export.write(store, out);
        return out.toByteArray();
    }
}
