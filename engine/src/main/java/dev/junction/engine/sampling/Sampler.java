package dev.junction.engine.sampling;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Picks tokens for one sequence: holds the sequence's {@link SamplingParams}, its own seeded random generator and the
 * window of recent tokens the penalties look at, so that a sequence's output depends only on its seed, parameters and
 * logits, never on other sequences or threads. Not thread-safe: one sampler per sequence, used by one thread at a time.
 *
 * <p>The steps follow llama.cpp's default chain: logit bias, then the repetition, frequency and presence penalties,
 * then top-k; at temperature 0 the most likely remaining token is taken (lowest id on ties); otherwise top-p and
 * min-p (both on the temperature-1 distribution), then temperature, softmax and a draw. Logits that are NaN count as
 * {@code -inf}.
 *
 * <p>{@link #sample} reads the caller's logits and never writes them; it works in buffers sized to the vocabulary that
 * are reused from call to call. Sampling does not record the token it picks: call {@link #accept} with every token
 * that enters the sequence (the prompt's, if they should count for the penalties, and each generated one).
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private final int[] biasIds;
    private final float[] biasValues;
    private final int[] history;
    private int historyNext;
    private int historySize;

    private float[] work = new float[0];
    private int[] candidates = new int[0];
    private float[] weights = new float[0];
    private long[] keys = new long[0];
    private int[] recent = new int[0];

    public Sampler(SamplingParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.random = new SplittableRandom(params.seed());
        this.biasIds = new int[params.logitBias().size()];
        this.biasValues = new float[biasIds.length];
        int k = 0;
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            biasIds[k] = e.getKey();
            biasValues[k++] = e.getValue();
        }
        this.history = new int[params.hasPenalties() ? params.penaltyLastN() : 0];
    }

    public SamplingParams params() {
        return params;
    }

    /** Records a token of the sequence for the penalties (a no-op when they are off). */
    public void accept(int token) {
        if (history.length == 0) {
            return;
        }
        history[historyNext] = token;
        historyNext = (historyNext + 1) % history.length;
        historySize = Math.min(historySize + 1, history.length);
    }

    /** {@link #accept}s each token in order, as for a prompt. */
    public void acceptAll(int... tokens) {
        for (int t : tokens) {
            accept(t);
        }
    }

    /** Forgets the accepted tokens; the random generator carries on where it was. */
    public void reset() {
        historyNext = 0;
        historySize = 0;
    }

    /** Picks a token from a whole logits vector (one entry per vocabulary id). */
    public int sample(float[] logits) {
        return sample(logits, 0, logits.length);
    }

    /**
     * Picks a token from {@code logits[offset .. offset + vocabSize)}, for example one row of a batch.
     *
     * @return a token id in {@code [0, vocabSize)}
     * @throws IllegalStateException when every token is banned (all logits {@code -inf} after bias and penalties)
     */
    public int sample(float[] logits, int offset, int vocabSize) {
        Objects.checkFromIndexSize(offset, vocabSize, logits.length);
        if (vocabSize == 0) {
            throw new IllegalArgumentException("empty vocabulary");
        }
        ensureCapacity(vocabSize);
        float[] w = work;
        for (int i = 0; i < vocabSize; i++) {
            float l = logits[offset + i];
            w[i] = Float.isNaN(l) ? Float.NEGATIVE_INFINITY : l;
        }
        applyLogitBias(w, vocabSize);
        applyPenalties(w, vocabSize);

        if (params.isGreedy()) {
            return argmax(w, vocabSize);
        }
        int n = topK(w, vocabSize);
        if (params.topP() < 1f) {
            n = topP(w, n);
        }
        if (params.minP() > 0f) {
            n = minP(w, n);
        }
        return draw(w, n);
    }

    // ---- steps -----------------------------------------------------------------------------------------------

    private void applyLogitBias(float[] w, int vocabSize) {
        for (int k = 0; k < biasIds.length && biasIds[k] < vocabSize; k++) {
            w[biasIds[k]] += biasValues[k];
        }
    }

    /** repetition (CTRL), then frequency and presence (OpenAI), once per distinct token in the window. */
    private void applyPenalties(float[] w, int vocabSize) {
        if (historySize == 0) {
            return;
        }
        System.arraycopy(history, 0, recent, 0, historySize);
        Arrays.sort(recent, 0, historySize);
        float rep = params.repetitionPenalty();
        float freq = params.frequencyPenalty();
        float presence = params.presencePenalty();
        for (int i = 0; i < historySize; ) {
            int token = recent[i];
            int count = 0;
            while (i < historySize && recent[i] == token) {
                count++;
                i++;
            }
            if (token < 0 || token >= vocabSize || w[token] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            float l = w[token];
            l = l > 0 ? l / rep : l * rep;
            w[token] = l - count * freq - presence;
        }
    }

    private static int argmax(float[] w, int vocabSize) {
        int best = 0;
        for (int i = 1; i < vocabSize; i++) {
            if (w[i] > w[best]) {
                best = i;
            }
        }
        if (w[best] == Float.NEGATIVE_INFINITY) {
            throw allBanned();
        }
        return best;
    }

    /**
     * Fills {@code candidates} with the tokens still possible and returns how many; they are sorted by falling logit
     * (lowest id first on ties) when top-k cut them or top-p needs the order, else in id order.
     */
    private int topK(float[] w, int vocabSize) {
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (w[i] != Float.NEGATIVE_INFINITY) {
                candidates[n++] = i;
            }
        }
        if (n == 0) {
            throw allBanned();
        }
        int k = params.topK();
        boolean cut = k > 0 && k < n;
        if (!cut && params.topP() == 1f) {
            return n;
        }
        int keep = cut ? k : n;
        if (cut) {
            // min-heap of the k best keys seen so far
            long[] heap = keys;
            for (int j = 0; j < n; j++) {
                long key = key(w, candidates[j]);
                if (j < k) {
                    heap[j] = key;
                    siftUp(heap, j);
                } else if (key > heap[0]) {
                    heap[0] = key;
                    siftDown(heap, k);
                }
            }
        } else {
            for (int j = 0; j < n; j++) {
                keys[j] = key(w, candidates[j]);
            }
        }
        Arrays.sort(keys, 0, keep);
        for (int j = 0; j < keep; j++) {
            candidates[j] = (int) (0xFFFF_FFFFL - (keys[keep - 1 - j] & 0xFFFF_FFFFL));
        }
        return keep;
    }

    /** Orders by logit, then by lower id: the logit's bits made monotonic above, the id inverted below. */
    private static long key(float[] w, int id) {
        int bits = Float.floatToIntBits(w[id]);
        bits ^= (bits >> 31) & 0x7FFF_FFFF;
        return ((long) bits << 32) | (0xFFFF_FFFFL - id);
    }

    private static void siftUp(long[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= heap[i]) {
                return;
            }
            long t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    private static void siftDown(long[] heap, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int smallest = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
            if (heap[i] <= heap[smallest]) {
                return;
            }
            long t = heap[i];
            heap[i] = heap[smallest];
            heap[smallest] = t;
            i = smallest;
        }
    }

    /** Keeps the smallest prefix of the sorted candidates whose probability (temperature 1) reaches top-p. */
    private int topP(float[] w, int n) {
        float max = w[candidates[0]];
        double sum = 0;
        for (int j = 0; j < n; j++) {
            weights[j] = (float) Math.exp(w[candidates[j]] - max);
            sum += weights[j];
        }
        double target = params.topP() * sum;
        double cumulative = 0;
        for (int j = 0; j < n; j++) {
            cumulative += weights[j];
            if (cumulative >= target) {
                return j + 1;
            }
        }
        return n;
    }

    /** Keeps the candidates at least min-p times as likely as the best (temperature 1), keeping their order. */
    private int minP(float[] w, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, w[candidates[j]]);
        }
        double threshold = max + Math.log(params.minP());
        int kept = 0;
        for (int j = 0; j < n; j++) {
            if (w[candidates[j]] >= threshold) {
                candidates[kept++] = candidates[j];
            }
        }
        return kept;
    }

    /** Temperature, softmax and one draw from the seeded generator. */
    private int draw(float[] w, int n) {
        float invTemperature = 1f / params.temperature();
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, w[candidates[j]]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            weights[j] = (float) Math.exp((w[candidates[j]] - max) * invTemperature);
            sum += weights[j];
        }
        double u = random.nextDouble() * sum;
        double cumulative = 0;
        for (int j = 0; j < n; j++) {
            cumulative += weights[j];
            if (u < cumulative) {
                return candidates[j];
            }
        }
        return candidates[n - 1]; // rounding: u landed on the very end
    }

    private void ensureCapacity(int vocabSize) {
        if (work.length < vocabSize) {
            work = new float[vocabSize];
            candidates = new int[vocabSize];
            weights = new float[vocabSize];
        }
        int keysNeeded = params.topK() > 0 && params.topP() == 1f ? Math.min(params.topK(), vocabSize) : vocabSize;
        if (!params.isGreedy() && keys.length < keysNeeded) {
            keys = new long[keysNeeded];
        }
        if (recent.length < history.length) {
            recent = new int[history.length];
        }
    }

    private static IllegalStateException allBanned() {
        return new IllegalStateException("no token can be sampled: every logit is -inf after logit bias and penalties");
    }
}
