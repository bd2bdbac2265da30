package dev.ipam.ratis;

import dev.ipam.core.Core;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Space;
import java.nio.charset.StandardCharsets;

/**
 * A deterministic stand-in for the IPAM core: named counters. Command {@code add <name> <delta>}
 * adds to the counter and returns {@code <index>:<value>}; {@code add} to a counter that would go
 * negative is a business rejection ({@code rejected:<value>}). Anything else fails the check.
 */
public final class CounterCore implements Core {
    public static byte[] add(String name, long delta) {
        return ("add " + name + " " + delta).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String check(byte[] command) {
        String[] parts = new String(command, StandardCharsets.UTF_8).split(" ");
        if (parts.length != 3 || !parts[0].equals("add")) {
            return "expected 'add <name> <delta>'";
        }
        try {
            Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return "delta '" + parts[2] + "' is not a number";
        }
        return null;
    }

    @Override
    public byte[] apply(Batch batch, long index, long timestampMs, byte[] command) {
        String[] parts = new String(command, StandardCharsets.UTF_8).split(" ");
        byte[] key = parts[1].getBytes(StandardCharsets.UTF_8);
        byte[] stored = batch.get(Space.OBJECTS, key);
        long value = stored == null ? 0 : Long.parseLong(new String(stored, StandardCharsets.UTF_8));
        long next = value + Long.parseLong(parts[2]);
        if (next < 0) {
            return ("rejected:" + value).getBytes(StandardCharsets.UTF_8);
        }
        batch.put(Space.OBJECTS, key, Long.toString(next).getBytes(StandardCharsets.UTF_8));
        batch.put(Space.HISTORY, java.nio.ByteBuffer.allocate(8).putLong(index).array(), command);
        return (index + ":" + next).getBytes(StandardCharsets.UTF_8);
    }

    /** The value of a counter in a read view (0 when absent). */
    public static long value(dev.ipam.core.store.ReadView view, String name) {
        byte[] stored = view.get(Space.OBJECTS, name.getBytes(StandardCharsets.UTF_8));
        return stored == null ? 0 : Long.parseLong(new String(stored, StandardCharsets.UTF_8));
    }
}
