package dev.ipam.core.alloc;

import dev.ipam.core.model.IPFamily;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.nio.charset.StandardCharsets;

/**
 * An aligned block of addresses: a prefix. The address is held as two longs (hi, lo); an IPv4
 * address lives in the low 32 bits of lo. Aligned means the bits after {@code length} are zero.
 */
public record Block(IPFamily family, long hi, long lo, int length) {
    public Block {
        if (length < 0 || length > family.bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + family);
        }
        if (family == IPFamily.IPv4 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address wider than 32 bits");
        }
        if (!aligned(family.bits, hi, lo, length)) {
            throw new IllegalArgumentException("block not aligned: " + format(family, hi, lo) + "/" + length);
        }
    }

    public int width() {
        return family.bits;
    }

    /** Number of addresses. */
    public U128 size() {
        return U128.pow2(family.bits - length);
    }

    public boolean contains(Block other) {
        if (other.family != family || other.length < length) {
            return false;
        }
        return maskHi(family.bits, other.hi, length) == hi && maskLo(family.bits, other.lo, length) == lo;
    }

    public boolean overlaps(Block other) {
        return contains(other) || other.contains(this);
    }

    /** The canonical text: RFC 5952 for IPv6, dotted quad for IPv4, then "/length". */
    public String cidr() {
        byte[] out = new byte[CIDR_MAX];
        int end = writeCidr(out);
        return new String(out, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** The most characters a canonical CIDR takes ("ffff:...:ffff/128"). */
    private static final int CIDR_MAX = 43;

    /** Writes {@link #cidr()} as ASCII into out (at least CIDR_MAX bytes); returns its length. */
    private int writeCidr(byte[] out) {
        int at = writeAddress(out, family, hi, lo);
        out[at++] = '/';
        return writeDecimal(out, at, length);
    }

    /** True when text is exactly {@link #cidr()} (no String built). */
    private boolean isCidr(String text) {
        byte[] out = new byte[CIDR_MAX];
        int end = writeCidr(out);
        if (end != text.length()) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) != out[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return cidr();
    }

    // ------------------------------------------------------------ bit arithmetic over (hi, lo) of width w

    /** True when the bits after length are zero. */
    static boolean aligned(int width, long hi, long lo, int length) {
        return maskHi(width, hi, length) == hi && maskLo(width, lo, length) == lo;
    }

    /** hi with every bit after the first {@code length} bits (of a width-bit address) cleared. */
    static long maskHi(int width, long hi, int length) {
        if (width == 32) {
            return 0;
        }
        if (length >= 64) {
            return hi;
        }
        return length == 0 ? 0 : hi & (-1L << (64 - length));
    }

    static long maskLo(int width, long lo, int length) {
        int hostBits = width - length;
        if (hostBits >= 64) {
            return 0;
        }
        return hostBits == 0 ? lo : lo & (-1L << hostBits);
    }

    /** The hi word of 2^(width - length) (the size of a /length block). */
    static long sizeHi(int width, int length) {
        int bits = width - length;
        return bits >= 64 ? 1L << (bits - 64) : 0;
    }

    static long sizeLo(int width, int length) {
        int bits = width - length;
        return bits >= 64 ? 0 : 1L << bits;
    }

    static int compare(long hiA, long loA, long hiB, long loB) {
        int high = Long.compareUnsigned(hiA, hiB);
        return high != 0 ? high : Long.compareUnsigned(loA, loB);
    }

    // ------------------------------------------------------------ text

    /** The outcome of parsing a CIDR: exactly one of block / problem is set; canonical is the fix when known. */
    public record Parsed(Block block, String problem, String canonical) {
    }

    /**
     * Parses a CIDR strictly: it must be one prefix block, written in canonical form (host bits zero,
     * RFC 5952 for IPv6). A non-canonical one names the canonical form as the fix.
     */
    public static Parsed parse(String text) {
        if (text == null || text.isEmpty()) {
            return new Parsed(null, "must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32", null);
        }
        Block fast = parseCanonical(text);
        if (fast != null) {
            return new Parsed(fast, null, text);
        }
        IPAddressString string = new IPAddressString(text);
        IPAddress address = string.getAddress();
        if (address == null || !string.isPrefixed() || address.getNetworkPrefixLength() == null) {
            return new Parsed(null, "\"" + text + "\" is not a CIDR (address/prefix-length, e.g. 10.0.0.0/8)", null);
        }
        if (!address.isSinglePrefixBlock()) {
            if (address.isMultiple()) {
                return new Parsed(null, "\"" + text + "\" is a range, not a single CIDR block", null);
            }
            String canonical = address.toPrefixBlock().toCanonicalString();
            return new Parsed(null, "\"" + text + "\" has host bits set; the block is " + canonical, canonical);
        }
        byte[] bytes = address.getLower().getBytes();
        IPFamily family = bytes.length == 4 ? IPFamily.IPv4 : IPFamily.IPv6;
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes.length == 16 && i < 8) {
                hi = (hi << 8) | (bytes[i] & 0xFF);
            } else {
                lo = (lo << 8) | (bytes[i] & 0xFF);
            }
        }
        Block block = new Block(family, hi, lo, address.getNetworkPrefixLength());
        String canonical = block.cidr();
        if (!canonical.equals(text)) {
            return new Parsed(null, "\"" + text + "\" is not in canonical form; write " + canonical, canonical);
        }
        return new Parsed(block, null, canonical);
    }

    /**
     * The fast path for text already in canonical form (what the core itself writes): a hand parser
     * whose result is accepted only if it formats back to exactly the same text. Null otherwise.
     */
    static Block parseCanonical(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.length() - slash > 4) {
            return null;
        }
        int length = 0;
        for (int i = slash + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            length = length * 10 + (c - '0');
        }
        boolean v6 = text.indexOf(':') >= 0;
        long hi = 0;
        long lo = 0;
        if (!v6) {
            int octets = 0;
            int value = -1;
            for (int i = 0; i <= slash; i++) {
                char c = i == slash ? '.' : text.charAt(i);
                if (c == '.') {
                    if (value < 0 || value > 255) {
                        return null;
                    }
                    lo = (lo << 8) | value;
                    octets++;
                    value = -1;
                } else if (c >= '0' && c <= '9') {
                    value = (value < 0 ? 0 : value * 10) + (c - '0');
                    if (value > 255) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            if (octets != 4 || length > 32) {
                return null;
            }
        } else {
            int[] groups = new int[8];
            int count = 0;
            int gap = -1;
            int i = 0;
            if (text.startsWith("::")) {
                gap = 0;
                i = 2;
            }
            while (i < slash) {
                int value = 0;
                int digits = 0;
                while (i < slash && text.charAt(i) != ':') {
                    char c = text.charAt(i++);
                    int digit = Character.digit(c, 16);
                    if (digit < 0 || ++digits > 4 || (c >= 'A' && c <= 'F')) {
                        return null;
                    }
                    value = (value << 4) | digit;
                }
                if (digits == 0 || count == 8) {
                    return null;
                }
                groups[count++] = value;
                if (i == slash) {
                    break;
                }
                i++;
                if (i < slash && text.charAt(i) == ':') {
                    if (gap >= 0) {
                        return null;
                    }
                    gap = count;
                    i++;
                } else if (i == slash) {
                    return null;
                }
            }
            if (gap < 0 ? count != 8 : count > 7) {
                return null;
            }
            int[] full = new int[8];
            int tail = gap < 0 ? 0 : count - gap;
            for (int g = 0; g < count; g++) {
                int position = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
                full[position] = groups[g];
            }
            for (int g = 0; g < 4; g++) {
                hi = (hi << 16) | full[g];
                lo = (lo << 16) | full[4 + g];
            }
            if (length > 128) {
                return null;
            }
        }
        IPFamily family = v6 ? IPFamily.IPv6 : IPFamily.IPv4;
        if (!aligned(family.bits, hi, lo, length)) {
            return null;
        }
        Block block = new Block(family, hi, lo, length);
        return block.isCidr(text) ? block : null;
    }

    /** Formats an address: dotted quad, or RFC 5952 (lowercase, longest run of 2+ zero groups as "::"). */
    static String format(IPFamily family, long hi, long lo) {
        byte[] out = new byte[CIDR_MAX];
        int end = writeAddress(out, family, hi, lo);
        return new String(out, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    /** Writes the address as {@link #format} does, from index 0; returns the length. */
    private static int writeAddress(byte[] out, IPFamily family, long hi, long lo) {
        if (family == IPFamily.IPv4) {
            int at = 0;
            for (int shift = 24; shift >= 0; shift -= 8) {
                at = writeDecimal(out, at, (int) ((lo >>> shift) & 0xFF));
                if (shift > 0) {
                    out[at++] = '.';
                }
            }
            return at;
        }
        // the longest run of two or more zero groups (the first of equal runs) becomes "::"
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (group(hi, lo, i) != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && group(hi, lo, i) == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        int at = 0;
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out[at++] = ':';
                out[at++] = ':';
                i += bestLength - 1;
                continue;
            }
            if (at > 0 && out[at - 1] != ':') {
                out[at++] = ':';
            }
            int value = group(hi, lo, i);
            for (int shift = 12; shift >= 0; shift -= 4) { // lowercase hex, no leading zeros
                int digit = (value >>> shift) & 0xF;
                if (digit != 0 || shift == 0 || value >>> (shift + 4) != 0) {
                    out[at++] = HEX[digit];
                }
            }
        }
        return at;
    }

    /** Group i (0-7) of an IPv6 address: 16 bits, most significant first. */
    private static int group(long hi, long lo, int i) {
        return (int) (((i < 4 ? hi : lo) >>> (48 - 16 * (i & 3))) & 0xFFFF);
    }

    /** Writes value (0-999) in decimal at {@code at}; returns the index after it. */
    private static int writeDecimal(byte[] out, int at, int value) {
        if (value >= 100) {
            out[at++] = (byte) ('0' + value / 100);
        }
        if (value >= 10) {
            out[at++] = (byte) ('0' + value / 10 % 10);
        }
        out[at++] = (byte) ('0' + value % 10);
        return at;
    }
}
