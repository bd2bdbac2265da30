package dev.ipam.core.store;

/** One key and its value. The arrays are owned by the receiver. */
public record Entry(byte[] key, byte[] value) {
}
