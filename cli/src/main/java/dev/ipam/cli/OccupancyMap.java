package dev.ipam.cli;

import dev.ipam.client.Cidr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A pool's occupancy drawn as a compact map: the pool's address space cut into equal aligned cells
 * (at most {@link #CELLS_MAX}, {@link #CELLS_PER_ROW} to a row), each shown as {@code #} (every
 * address taken), {@code +} (some taken) or {@code .} (free). Also finds the largest free block.
 */
final class OccupancyMap {
    /** The most cells drawn, whatever the pool's size. */
    static final int CELLS_MAX = 128;
    /** Cells per printed row. */
    static final int CELLS_PER_ROW = 64;
    /** The most blocks considered (a pool with more is drawn from the first ones, and says so). */
    static final int BLOCKS_MAX = 100_000;

    private final Cidr pool;
    private final List<Cidr> taken;
    private final boolean truncated;

    /** The map of a pool and the blocks taken inside it (allocations and child pools). */
    OccupancyMap(Cidr pool, List<Cidr> blocks) {
        this.pool = pool;
        List<Cidr> inside = new ArrayList<>();
        for (Cidr block : blocks) {
            if (pool.contains(block) && inside.size() < BLOCKS_MAX) {
                inside.add(block);
            }
        }
        this.truncated = blocks.size() > BLOCKS_MAX;
        inside.sort(Comparator.comparing(Cidr::network).thenComparingInt(Cidr::prefixLength));
        this.taken = merge(inside);
    }

    /** The map's lines: a heading, rows labelled by their first address, and a legend. */
    List<String> render() {
        int hostBits = pool.bits() - pool.prefixLength();
        int cellBits = Math.min(hostBits, Integer.numberOfTrailingZeros(CELLS_MAX));
        int cells = 1 << cellBits;
        BigInteger cellSize = BigInteger.ONE.shiftLeft(hostBits - cellBits);
        BigInteger[] used = new BigInteger[cells];
        java.util.Arrays.fill(used, BigInteger.ZERO);
        BigInteger start = pool.network();
        for (Cidr block : taken) {
            BigInteger from = block.network().subtract(start);
            BigInteger to = block.last().subtract(start);
            int firstCell = from.divide(cellSize).intValueExact();
            int lastCell = to.divide(cellSize).intValueExact();
            for (int cell = firstCell; cell <= lastCell; cell++) {
                BigInteger cellFrom = cellSize.multiply(BigInteger.valueOf(cell));
                BigInteger cellTo = cellFrom.add(cellSize).subtract(BigInteger.ONE);
                BigInteger overlap = to.min(cellTo).subtract(from.max(cellFrom)).add(BigInteger.ONE);
                used[cell] = used[cell].add(overlap);
            }
        }
        List<String> lines = new ArrayList<>();
        int cellPrefix = pool.bits() - (hostBits - cellBits);
        lines.add("Occupancy: " + cells + " cell" + (cells == 1 ? "" : "s") + ", each a /" + cellPrefix
                + " (" + addresses(cellSize) + ")"
                + (truncated ? "; drawn from the first " + BLOCKS_MAX + " blocks only" : ""));
        List<String> labels = new ArrayList<>();
        List<String> bars = new ArrayList<>();
        for (int rowStart = 0; rowStart < cells; rowStart += CELLS_PER_ROW) {
            StringBuilder bar = new StringBuilder();
            for (int cell = rowStart; cell < Math.min(cells, rowStart + CELLS_PER_ROW); cell++) {
                bar.append(used[cell].signum() == 0 ? '.' : used[cell].equals(cellSize) ? '#' : '+');
            }
            labels.add(Cidr.format(start.add(cellSize.multiply(BigInteger.valueOf(rowStart))), pool.bits()));
            bars.add(bar.toString());
        }
        int labelWidth = labels.stream().mapToInt(String::length).max().orElse(0);
        for (int i = 0; i < bars.size(); i++) {
            lines.add("  " + labels.get(i) + " ".repeat(labelWidth - labels.get(i).length()) + "  " + bars.get(i));
        }
        lines.add("  legend: # full   + partly used   . free");
        return lines;
    }

    /** The addresses taken (counting each address once). */
    BigInteger used() {
        return taken.stream().map(Cidr::size).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** The largest aligned free block (lowest address among equals), or empty when the pool is full. */
    Optional<Cidr> largestFree() {
        Cidr best = null;
        BigInteger cursor = pool.network();
        List<BigInteger[]> gaps = new ArrayList<>();
        for (Cidr block : taken) {
            if (block.network().compareTo(cursor) > 0) {
                gaps.add(new BigInteger[] {cursor, block.network().subtract(BigInteger.ONE)});
            }
            cursor = cursor.max(block.last().add(BigInteger.ONE));
        }
        if (cursor.compareTo(pool.last()) <= 0) {
            gaps.add(new BigInteger[] {cursor, pool.last()});
        }
        for (BigInteger[] gap : gaps) {
            for (int hostBits = pool.bits() - pool.prefixLength(); hostBits >= 0; hostBits--) {
                BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
                BigInteger remainder = gap[0].mod(size);
                BigInteger aligned = remainder.signum() == 0 ? gap[0] : gap[0].add(size).subtract(remainder);
                if (aligned.add(size).subtract(BigInteger.ONE).compareTo(gap[1]) <= 0) {
                    Cidr candidate = Cidr.of(aligned, pool.bits() - hostBits, pool.bits());
                    if (best == null || candidate.prefixLength() < best.prefixLength()) {
                        best = candidate;
                    }
                    break;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** "1 address", "512 addresses", "2^73 addresses" (cells are powers of two). */
    private static String addresses(BigInteger count) {
        if (count.equals(BigInteger.ONE)) {
            return "1 address";
        }
        return (count.bitLength() > 32 ? "2^" + (count.bitLength() - 1) : count.toString()) + " addresses";
    }

    /** Sorted blocks with nested or overlapping ones folded together, so no address counts twice. */
    private static List<Cidr> merge(List<Cidr> sorted) {
        List<Cidr> out = new ArrayList<>();
        for (Cidr block : sorted) {
            if (!out.isEmpty() && out.get(out.size() - 1).contains(block)) {
                continue;
            }
            out.add(block);
        }
        return out;
    }
}
