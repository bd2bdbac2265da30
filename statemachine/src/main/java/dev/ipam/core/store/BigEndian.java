package dev.ipam.core.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Big-endian numbers at any offset of a byte array, as {@link java.nio.ByteBuffer} and {@link
 * java.io.DataOutputStream} write them, each one load or store. The key and value formats order
 * numbers this way so that unsigned byte order is numeric order.
 */
public final class BigEndian {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private BigEndian() {
    }

    public static void putLong(byte[] bytes, int at, long value) {
        LONGS.set(bytes, at, value);
    }

    public static long getLong(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }

    public static void putInt(byte[] bytes, int at, int value) {
        INTS.set(bytes, at, value);
    }

    public static int getInt(byte[] bytes, int at) {
        return (int) INTS.get(bytes, at);
    }
}
