package dev.ipam.core.alloc;

import java.math.BigInteger;

/** An unsigned 128-bit count (IPv6 pools hold up to 2^127 addresses). */
public record U128(long hi, long lo) implements Comparable<U128> {
    public static final U128 ZERO = new U128(0, 0);

    /** 2^bits for bits in [0, 127]. */
    public static U128 pow2(int bits) {
        if (bits < 0 || bits > 127) {
            throw new IllegalArgumentException("2^" + bits + " does not fit");
        }
        return bits >= 64 ? new U128(1L << (bits - 64), 0) : new U128(0, 1L << bits);
    }

    public U128 plus(U128 other) {
        long lo = this.lo + other.lo;
        long carry = Long.compareUnsigned(lo, this.lo) < 0 ? 1 : 0;
        long highSum = this.hi + other.hi;
        boolean overflow = Long.compareUnsigned(highSum, this.hi) < 0;
        long hi = highSum + carry;
        if (overflow || (carry == 1 && hi == 0)) {
            throw new ArithmeticException("128-bit overflow");
        }
        return new U128(hi, lo);
    }

    public U128 minus(U128 other) {
        if (compareTo(other) < 0) {
            throw new ArithmeticException("128-bit underflow: " + this + " - " + other);
        }
        long lo = this.lo - other.lo;
        long borrow = Long.compareUnsigned(this.lo, other.lo) < 0 ? 1 : 0;
        return new U128(this.hi - other.hi - borrow, lo);
    }

    public boolean isZero() {
        return hi == 0 && lo == 0;
    }

    @Override
    public int compareTo(U128 other) {
        int high = Long.compareUnsigned(hi, other.hi);
        return high != 0 ? high : Long.compareUnsigned(lo, other.lo);
    }

    /** The value, or Long.MAX_VALUE when it does not fit (API status fields saturate). */
    public long saturated() {
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    public BigInteger toBigInteger() {
        BigInteger high = new BigInteger(Long.toUnsignedString(hi));
        return high.shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
    }

    @Override
    public String toString() {
        return toBigInteger().toString();
    }
}
