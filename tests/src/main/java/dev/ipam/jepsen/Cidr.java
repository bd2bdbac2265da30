package dev.ipam.jepsen;

/**
 * An IPv4 block as the checker sees it: the raw address the server reported and a prefix length.
 * Host bits are kept as reported (not masked) so that a misaligned answer stays visible.
 */
public record Cidr(long address, int prefixLength) implements Comparable<Cidr> {
    public Cidr {
        if (address < 0 || address > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("address out of IPv4 range: " + address);
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefixLength out of 0..32: " + prefixLength);
        }
    }

    /** Parses {@code a.b.c.d/n}; throws IllegalArgumentException on anything else. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR (no '/'): " + text);
        }
        String[] octets = text.substring(0, slash).split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
        }
        long address = 0;
        for (String octet : octets) {
            int value = Integer.parseInt(octet);
            if (value < 0 || value > 255) {
                throw new IllegalArgumentException("octet out of range in " + text);
            }
            address = (address << 8) | value;
        }
        return new Cidr(address, Integer.parseInt(text.substring(slash + 1)));
    }

    public long size() {
        return 1L << (32 - prefixLength);
    }

    public long first() {
        return address;
    }

    public long last() {
        return address + size() - 1;
    }

    /** Host bits are zero: the block starts at a multiple of its size. */
    public boolean aligned() {
        return (address & (size() - 1)) == 0;
    }

    public boolean contains(Cidr other) {
        return other.first() >= first() && other.last() <= last();
    }

    public boolean overlaps(Cidr other) {
        return first() <= other.last() && other.first() <= last();
    }

    @Override
    public int compareTo(Cidr other) {
        int byAddress = Long.compare(address, other.address);
        return byAddress != 0 ? byAddress : Integer.compare(prefixLength, other.prefixLength);
    }

    @Override
    public String toString() {
        return ((address >> 24) & 255) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "."
                + (address & 255) + "/" + prefixLength;
    }
}
