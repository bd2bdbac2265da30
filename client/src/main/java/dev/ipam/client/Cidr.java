package dev.ipam.client;

import java.math.BigInteger;
import java.util.Locale;

/**
 * An IPv4 or IPv6 block in CIDR notation, as exact integers: parse, print, size, containment.
 * Parsing never touches DNS. {@link #parse} accepts host bits set; {@link #canonical()} says
 * whether they are all zero (the form the API requires).
 *
 * @param address      the first address as given (host bits possibly set)
 * @param prefixLength the number of network bits
 * @param bits         32 for IPv4, 128 for IPv6
 */
public record Cidr(BigInteger address, int prefixLength, int bits) {

    /** Checks the ranges. */
    public Cidr {
        if (bits != 32 && bits != 128) {
            throw new IllegalArgumentException("bits must be 32 or 128, got " + bits);
        }
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + bits);
        }
        if (address.signum() < 0 || address.bitLength() > bits) {
            throw new IllegalArgumentException("address outside the " + bits + "-bit space");
        }
    }

    /** Parses {@code 10.0.0.0/8} or {@code 2001:db8::/32}; IllegalArgumentException naming the problem. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("CIDR is missing");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: write it as 10.0.0.0/24 or 2001:db8::/48");
        }
        String host = text.substring(0, slash).trim();
        int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the prefix length after '/' is not a number", e);
        }
        if (host.contains(":")) {
            return new Cidr(parseIpv6(host, text), length, 128);
        }
        return new Cidr(parseIpv4(host, text), length, 32);
    }

    /** {@code IPv4} or {@code IPv6}. */
    public String family() {
        return bits == 32 ? "IPv4" : "IPv6";
    }

    /** Whether the host bits are zero. */
    public boolean canonical() {
        return address.equals(network());
    }

    /** The first address of the block (host bits cleared). */
    public BigInteger network() {
        return address.shiftRight(bits - prefixLength).shiftLeft(bits - prefixLength);
    }

    /** The number of addresses in the block. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits - prefixLength);
    }

    /** The last address of the block. */
    public BigInteger last() {
        return network().add(size()).subtract(BigInteger.ONE);
    }

    /** Whether {@code other} (same family) lies entirely inside this block. */
    public boolean contains(Cidr other) {
        return other.bits == bits && other.prefixLength >= prefixLength
                && other.network().compareTo(network()) >= 0 && other.last().compareTo(last()) <= 0;
    }

    /** Whether the two blocks share an address. */
    public boolean overlaps(Cidr other) {
        return other.bits == bits && other.network().compareTo(last()) <= 0 && network().compareTo(other.last()) <= 0;
    }

    /** The block of this length starting at {@code start}. */
    public static Cidr of(BigInteger start, int prefixLength, int bits) {
        return new Cidr(start, prefixLength, bits);
    }

    @Override
    public String toString() {
        return format(network(), bits) + "/" + prefixLength;
    }

    /** Prints an address: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as ::). */
    public static String format(BigInteger address, int bits) {
        if (bits == 32) {
            long v = address.longValue();
            return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = address.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static BigInteger parseIpv4(String host, String whole) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + whole + "': an IPv4 address has four dotted numbers");
        }
        long value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + whole + "': '" + part + "' is not a number 0..255", e);
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("'" + whole + "': '" + part + "' is not a number 0..255");
            }
            value = value << 8 | octet;
        }
        return BigInteger.valueOf(value);
    }

    private static BigInteger parseIpv6(String host, String whole) {
        String lower = host.toLowerCase(Locale.ROOT);
        int gap = lower.indexOf("::");
        if (gap >= 0 && lower.indexOf("::", gap + 1) >= 0) {
            throw new IllegalArgumentException("'" + whole + "': '::' may appear once");
        }
        String[] head = gap >= 0 ? split6(lower.substring(0, gap)) : split6(lower);
        String[] tail = gap >= 0 ? split6(lower.substring(gap + 2)) : new String[0];
        int missing = 8 - head.length - tail.length;
        if (gap < 0 && head.length != 8 || gap >= 0 && missing < 1) {
            throw new IllegalArgumentException("'" + whole + "': an IPv6 address has eight groups");
        }
        BigInteger value = BigInteger.ZERO;
        for (String group : head) {
            value = value.shiftLeft(16).or(group16(group, whole));
        }
        value = value.shiftLeft(16 * (gap >= 0 ? missing : 0));
        for (String group : tail) {
            value = value.shiftLeft(16).or(group16(group, whole));
        }
        return value;
    }

    private static String[] split6(String text) {
        return text.isEmpty() ? new String[0] : text.split(":", -1);
    }

    private static BigInteger group16(String group, String whole) {
        if (group.isEmpty() || group.length() > 4) {
            throw new IllegalArgumentException("'" + whole + "': '" + group + "' is not a group of 1-4 hex digits");
        }
        try {
            return BigInteger.valueOf(Integer.parseInt(group, 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "': '" + group + "' is not hex", e);
        }
    }
}
