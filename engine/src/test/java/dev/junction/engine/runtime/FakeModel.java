package dev.junction.engine.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model for scheduler tests that behaves like a real one where it matters: its "keys and values" live in a paged
 * pool addressed through each sequence's block table, each position holds a hash of its token and of the values at
 * every earlier position (read through the table, as attention does), and the logits of a position peak at a token
 * derived from that hash. A
 * wrong block mapping, a prefix reused from the wrong block or a shared block overwritten therefore changes the
 * output, which {@link #reference} computes without any cache. Writing into a block that is shared or cached fails
 * the step.
 *
 * <p>Over a block manager with a window group, each position also holds a second hash, of its token and of the
 * values at the {@code window - 1} positions before it only, read through the window table as a sliding-window layer
 * does, and the logits depend on both: a window block dropped too early (reading one fails the step), mapped wrongly
 * or reused from the wrong prefix changes the output too.
 */
final class FakeModel implements ModelRunner {
    private static final long SEED = 0x243F6A8885A308D3L;

    private final int vocab;
    private final BlockManager blocks;
    private final long[] kv;
    private final long[] windowKv;
    private final int window;
    private final float[][] logits;
    private final float[] scratch;
    private final Map<Integer, Integer> forced = new HashMap<>();
    final List<Integer> stepTokens = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.Set<Integer> avoided = new java.util.HashSet<>();
    volatile int failAtStep = -1;

    FakeModel(int vocab, BlockManager blocks, int maxRunning) {
        this.vocab = vocab;
        this.blocks = blocks;
        this.kv = new long[blocks.totalBlocks() * blocks.blockSize()];
        BlockPool windowGroup = blocks.windowGroup();
        this.windowKv = new long[windowGroup == null ? 0 : windowGroup.totalBlocks() * blocks.blockSize()];
        this.window = blocks.window();
        this.logits = new float[maxRunning][vocab];
        this.scratch = new float[vocab];
    }

    /** Makes every sequence's token at index {@code length} be {@code token} (e.g. an end-of-generation token). */
    FakeModel force(int length, int token) {
        forced.put(length, token);
        return this;
    }

    /** Never picks these tokens (say, end-of-generation) unless {@link #force}d: the next id is taken instead. */
    FakeModel avoid(int... tokens) {
        for (int t : tokens) avoided.add(t);
        return this;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public void execute(StepPlan plan, PromptScores promptScores) {
        stepTokens.add(plan.tokens());
        if (stepTokens.size() - 1 == failAtStep) throw new IllegalStateException("simulated failure");
        int bs = blocks.blockSize();
        for (int i = 0; i < plan.size(); i++) {
            Sequence s = plan.sequence(i);
            int start = plan.start(i), end = start + plan.count(i);
            if (start != s.computed()) throw new AssertionError("entry starts at " + start + " but " + s);
            for (int p = start; p < end; p++) {
                long previous = SEED; // like attention, every earlier position is read through the block table
                for (int q = 0; q < p; q++) previous = step(previous, (int) kv[at(s, q)], q);
                int block = s.blocks().block(p / bs);
                if (blocks.refCount(block) != 1 || blocks.isCached(block)) {
                    throw new AssertionError("position " + p + " of " + s + " writes block " + block + " (refs "
                            + blocks.refCount(block) + ", cached " + blocks.isCached(block) + ")");
                }
                kv[at(s, p)] = step(previous, s.tokens()[p], p);
                if (window > 0) {
                    long recent = SEED;
                    for (int q = Math.max(0, p - window + 1); q < p; q++) recent = step(recent, (int) windowKv[windowAt(s, q)], q);
                    int windowBlock = s.blocks().windowBlock(p / bs);
                    if (blocks.windowGroup().refCount(windowBlock) != 1 || blocks.windowGroup().isCached(windowBlock)) {
                        throw new AssertionError("position " + p + " of " + s + " writes window block " + windowBlock);
                    }
                    windowKv[windowAt(s, p)] = step(recent, s.tokens()[p], p);
                }
                if (s.scoresPrompt() && p < s.promptLength() - 1) {
                    fill(scratch, value(s, p), p + 1);
                    promptScores.accept(s, p, scratch, 0);
                }
            }
            if (plan.wantsLogits(i)) fill(logits[s.slot()], value(s, end - 1), end);
        }
    }

    @Override
    public float[] logits(Sequence sequence) {
        return logits[sequence.slot()];
    }

    private int at(Sequence s, int position) {
        int bs = blocks.blockSize();
        return s.blocks().block(position / bs) * bs + position % bs;
    }

    /** What the logits after position {@code p} derive from: both hashes when there is a window group. */
    private long value(Sequence s, int p) {
        return window > 0 ? combine(kv[at(s, p)], windowKv[windowAt(s, p)]) : kv[at(s, p)];
    }

    private static long combine(long full, long recent) {
        return full ^ Long.rotateLeft(recent, 17);
    }

    private int windowAt(Sequence s, int position) {
        int bs = blocks.blockSize(), block = s.blocks().windowBlock(position / bs);
        if (block == BlockTable.NO_BLOCK) throw new AssertionError("position " + position + " of " + s + " was dropped");
        return block * bs + position % bs;
    }

    private static long step(long previous, int token, int position) {
        long h = previous ^ (token * 0x9E3779B97F4A7C15L) ^ ((long) position << 40);
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return h;
    }

    /** Logits over the vocabulary: small noise, and 8 more for the chosen token. */
    private void fill(float[] out, long h, int length) {
        for (int t = 0; t < vocab; t++) out[t] = (step(h, t, 0) >>> 40) / (float) (1 << 24);
        out[next(h, length)] += 8;
    }

    private int next(long h, int length) {
        Integer f = forced.get(length);
        if (f != null) return f;
        int t = (int) Math.floorMod(h >>> 7, (long) vocab);
        while (avoided.contains(t)) t = (t + 1) % vocab;
        return t;
    }

    /** What greedy decoding of {@code prompt} gives, {@code n} tokens, computed without any cache. */
    int[] reference(int[] prompt, int n) {
        int[] tokens = Arrays.copyOf(prompt, prompt.length + n);
        long[] values = new long[tokens.length], recentValues = new long[tokens.length];
        for (int p = 0; p < prompt.length + n - 1; p++) {
            long previous = SEED;
            for (int q = 0; q < p; q++) previous = step(previous, (int) values[q], q);
            values[p] = step(previous, tokens[p], p);
            long value = values[p];
            if (window > 0) {
                long recent = SEED;
                for (int q = Math.max(0, p - window + 1); q < p; q++) recent = step(recent, (int) recentValues[q], q);
                recentValues[p] = step(recent, tokens[p], p);
                value = combine(values[p], recentValues[p]);
            }
            if (p >= prompt.length - 1) tokens[p + 1] = next(value, p + 1);
        }
        return Arrays.copyOfRange(tokens, prompt.length, tokens.length);
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
