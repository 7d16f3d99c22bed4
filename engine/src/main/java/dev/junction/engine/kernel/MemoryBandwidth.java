package dev.junction.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A STREAM-like measure of main-memory bandwidth, the numerator of the decode roofline: read-only sum ({@code s += a[i]}),
 * copy ({@code b[i] = a[i]}) and triad ({@code a[i] = b[i] + q * c[i]}) over three off-heap float arrays far larger
 * than the caches, with Vector API loops split over a {@link Parallel}'s threads in contiguous ranges. Bytes are
 * counted as STREAM counts them: the sum reads one array, copy reads one and writes one, triad reads two and writes
 * one (write-allocate traffic not counted). Each figure is the median of the passes.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Work unit handed to threads: 256 KiB of each array. */
    private static final long BLOCK_BYTES = 256 << 10;

    /**
     * Bandwidths in GB/s (10^9 bytes per second) with {@code threads} threads.
     *
     * @param arrayBytes size of each of the three arrays, after rounding down to whole blocks
     * @param passes     timed passes of each test (after one untimed warm-up pass)
     */
    public record Result(int threads, long arrayBytes, int passes, double readGBs, double copyGBs, double triadGBs) {}

    private MemoryBandwidth() {}

    /** Default passes: as in the project's baseline figures, the median of 5. */
    public static final int DEFAULT_PASSES = 5;

    /** Measures with three arrays of {@code arrayBytes} each (at least one block of 256 KiB). */
    public static Result measure(Parallel parallel, long arrayBytes, int passes) {
        if (passes < 1) throw new IllegalArgumentException("passes must be at least 1, got " + passes);
        long blocksLong = Math.max(1, arrayBytes / BLOCK_BYTES);
        if (blocksLong > Integer.MAX_VALUE) throw new IllegalArgumentException("arrays too large: " + arrayBytes);
        int blocks = (int) blocksLong;
        long bytes = blocks * BLOCK_BYTES;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(bytes, 64), b = arena.allocate(bytes, 64), c = arena.allocate(bytes, 64);
            // First touch in parallel, with values that stay finite through every triad pass.
            parallel.forRange(blocks, 1, (from, to) -> {
                fill(a, from, to, 1.0f);
                fill(b, from, to, 2.0f);
                fill(c, from, to, 0.5f);
            });
            // Compile the loops before timing: many calls over one cache-resident block.
            double warm = 0;
            for (int i = 0; i < 400; i++) {
                warm += sum(a, 0, 1);
                copy(a, b, 0, 1);
                triad(a, b, c, 0, 1, 1e-6f);
            }
            double[] read = new double[passes], copy = new double[passes], triad = new double[passes];
            double[] sink = new double[parallel.threads() * 8 + 8];
            for (int p = -1; p < passes; p++) {
                long t0 = System.nanoTime();
                parallel.forRange(blocks, 1, (from, to) -> sink[slot(from, blocks, parallel.threads())] += sum(a, from, to));
                long t1 = System.nanoTime();
                parallel.forRange(blocks, 1, (from, to) -> copy(a, b, from, to));
                long t2 = System.nanoTime();
                parallel.forRange(blocks, 1, (from, to) -> triad(a, b, c, from, to, 1e-6f));
                long t3 = System.nanoTime();
                if (p >= 0) {
                    read[p] = bytes / (double) (t1 - t0);
                    copy[p] = 2.0 * bytes / (t2 - t1);
                    triad[p] = 3.0 * bytes / (t3 - t2);
                }
            }
            if (Double.isNaN(warm + Arrays.stream(sink).sum())) throw new AssertionError("unreachable");
            return new Result(parallel.threads(), bytes, passes, median(read), median(copy), median(triad));
        }
    }

    /** A per-thread slot for partial sums, spaced a cache line apart. */
    private static int slot(int from, int blocks, int threads) {
        int per = Math.max(1, Math.ceilDiv(blocks, threads));
        return Math.min(threads, from / per) * 8;
    }

    private static void fill(MemorySegment m, int fromBlock, int toBlock, float value) {
        FloatVector v = FloatVector.broadcast(S, value);
        long step = S.vectorByteSize();
        for (long off = fromBlock * BLOCK_BYTES, end = toBlock * BLOCK_BYTES; off < end; off += step) {
            v.intoMemorySegment(m, off, ORDER);
        }
    }

    private static double sum(MemorySegment a, int fromBlock, int toBlock) {
        long step = S.vectorByteSize();
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (long off = fromBlock * BLOCK_BYTES, end = toBlock * BLOCK_BYTES; off < end; off += 4 * step) {
            s0 = s0.add(FloatVector.fromMemorySegment(S, a, off, ORDER));
            s1 = s1.add(FloatVector.fromMemorySegment(S, a, off + step, ORDER));
            s2 = s2.add(FloatVector.fromMemorySegment(S, a, off + 2 * step, ORDER));
            s3 = s3.add(FloatVector.fromMemorySegment(S, a, off + 3 * step, ORDER));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static void copy(MemorySegment a, MemorySegment b, int fromBlock, int toBlock) {
        long step = S.vectorByteSize();
        for (long off = fromBlock * BLOCK_BYTES, end = toBlock * BLOCK_BYTES; off < end; off += 2 * step) {
            FloatVector.fromMemorySegment(S, a, off, ORDER).intoMemorySegment(b, off, ORDER);
            FloatVector.fromMemorySegment(S, a, off + step, ORDER).intoMemorySegment(b, off + step, ORDER);
        }
    }

    private static void triad(MemorySegment a, MemorySegment b, MemorySegment c, int fromBlock, int toBlock, float q) {
        long step = S.vectorByteSize();
        FloatVector qv = FloatVector.broadcast(S, q);
        for (long off = fromBlock * BLOCK_BYTES, end = toBlock * BLOCK_BYTES; off < end; off += 2 * step) {
            FloatVector.fromMemorySegment(S, c, off, ORDER).fma(qv, FloatVector.fromMemorySegment(S, b, off, ORDER))
                    .intoMemorySegment(a, off, ORDER);
            FloatVector.fromMemorySegment(S, c, off + step, ORDER)
                    .fma(qv, FloatVector.fromMemorySegment(S, b, off + step, ORDER))
                    .intoMemorySegment(a, off + step, ORDER);
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
