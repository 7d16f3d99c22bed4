package dev.junction.engine.kernel;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool for the data-parallel loops of a forward pass: the caller and {@code threads - 1} daemon workers
 * split {@code [0, n)} into chunks and take them from a shared counter until none are left. Nothing is allocated per
 * loop; workers spin briefly between loops (a decode step runs hundreds of them a few microseconds apart), then
 * park until the next loop unparks them: an idle pool takes no CPU.
 *
 * <p>One loop runs at a time: {@link #forRange} is called by one thread (the one driving the model) and returns when
 * every chunk is done. Bodies must not call {@code forRange} themselves.
 */
public final class Parallel implements AutoCloseable {
    /** The body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 200_000;
    /**
     * Chunks per thread and loop: the last chunk of a loop leaves the other threads waiting for about half of it, so
     * smaller chunks waste less (at 2 threads, decoding bench-1b: 16 per thread 6-14 % faster than 4, prompt
     * processing 7-19 %), down to the grain the caller gives.
     */
    private static final int CHUNKS_PER_THREAD = 16;

    private final int threads;
    private final Thread[] workers;
    /** Ever-increasing chunk ticket; loop k owns tickets {@code [base, base + chunks)}. Never reset, so a worker
     *  still finishing loop k cannot take a ticket of loop k+1 for loop k's body. */
    private final AtomicLong nextTicket = new AtomicLong();
    private final AtomicInteger chunksDone = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    // the current loop, written while generation is odd and published when it turns even
    private RangeBody body;
    private int n, chunkSize, chunks;
    private long base;
    private volatile RuntimeException failure;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("junction-kernel-" + (i + 1)).start(this::workLoop);
        }
    }

    /** Threads used for loops: the caller plus {@code threads - 1} workers. */
    public int threads() {
        return threads;
    }

    /** Threads to use when none are asked for: the available processors. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks whose sizes are multiples of {@code grain} (except the last),
     * about {@link #CHUNKS_PER_THREAD} per thread so that uneven threads even out.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        grain = Math.max(1, grain);
        if (threads == 1 || n <= grain) {
            body.run(0, n);
            return;
        }
        int chunk = Math.ceilDiv(Math.ceilDiv(n, threads * CHUNKS_PER_THREAD), grain) * grain;
        int total = Math.ceilDiv(n, chunk);
        long first = nextTicket.get();
        generation++; // odd: the fields below are being written
        VarHandle.storeStoreFence(); // ... and none of them before a reader can see it odd
        this.body = body;
        this.n = n;
        this.chunkSize = chunk;
        this.chunks = total;
        this.base = first;
        this.failure = null;
        chunksDone.set(0);
        generation++; // even: published
        for (Thread w : workers) LockSupport.unpark(w);
        runChunks(body, n, chunk, total, first);
        while (chunksDone.get() < total) Thread.onSpinWait();
        RuntimeException f = failure;
        if (f != null) throw f;
    }

    private void runChunks(RangeBody b, int limit, int size, int total, long first) {
        while (true) {
            long ticket = nextTicket.get();
            if (ticket - first >= total) return;
            if (!nextTicket.compareAndSet(ticket, ticket + 1)) continue;
            try {
                int from = (int) (ticket - first) * size;
                b.run(from, Math.min(limit, from + size));
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                chunksDone.incrementAndGet();
            }
        }
    }

    private void workLoop() {
        int seen = generation;
        while (!closed) {
            long spinStart = System.nanoTime();
            int g;
            while (((g = generation) == seen || (g & 1) == 1) && !closed) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this); // forRange unparks every worker once the loop is published
            }
            if (closed) return;
            RangeBody b = body;
            int limit = n, size = chunkSize, total = chunks;
            long first = base;
            // a newer loop was being written while we read: read again. The fence keeps the reads above before this
            // one (as StampedLock.validate does); without it they may be made later, and a body of one loop run with
            // the tickets of the next, after its caller had returned
            VarHandle.acquireFence();
            if (generation != g) continue;
            seen = g;
            runChunks(b, limit, size, total, first);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
