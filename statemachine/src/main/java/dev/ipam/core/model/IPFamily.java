package dev.ipam.core.model;

public enum IPFamily {
    IPv4(32), IPv6(128);

    /** Address width in bits. */
    public final int bits;

    IPFamily(int bits) {
        this.bits = bits;
    }
}
