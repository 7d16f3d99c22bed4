package dev.junction.engine.model;

import dev.junction.engine.kernel.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attention over a paged cache computes softmax(q·K / √d)·V over exactly the row's positions 0..p, read through the
 * block table: checked against a plain double-precision computation over the keys and values as the pool holds them
 * (F16-rounded for an F16 cache), for group sizes that take the four-head and the one-head kernels, head sizes with
 * and without vector tails, and lengths ending inside, at and just past a tile or block.
 */
class AttentionTest {
    /** A model shape for attention alone: the layers' weights are never read, so there are none. */
    static Transformer attentionOnly(int layers, int heads, int kvHeads, int headDim) {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, heads * headDim, layers, heads, kvHeads, headDim, 64, 100,
                4096, 1e-5f, 10000f, headDim, 1f, null);
        return new Transformer(c, new Weights(null, null, null, null, List.of()));
    }

    /** Fills a batch row's query, key and value with Gaussian numbers (keys and queries scaled for peaky scores). */
    static void randomRow(Transformer.Batch batch, int row, ModelConfig c, Random random) {
        for (int i = 0; i < c.qDim(); i++) batch.q[row * c.qDim() + i] = 2f * (float) random.nextGaussian();
        for (int i = 0; i < c.kvDim(); i++) {
            batch.k[row * c.kvDim() + i] = (float) random.nextGaussian();
            batch.v[row * c.kvDim() + i] = (float) random.nextGaussian();
        }
    }

    @ParameterizedTest(name = "{0} cache, {1} heads on {2} KV heads of {3}")
    @CsvSource({"F32, 8, 2, 64", "F16, 8, 2, 64", "F32, 6, 1, 40", "F16, 6, 1, 40", "F32, 3, 3, 8", "F32, 7, 1, 128"})
    void equalsAPlainSoftmaxOverTheCachedPositionsThroughAShuffledBlockTable(KvCache.Type type, int heads, int kvHeads,
                                                                              int headDim) {
        Transformer t = attentionOnly(1, heads, kvHeads, headDim);
        ModelConfig c = t.config();
        KvPool pool = new KvPool(c, 12, 32, type);
        Transformer.Sequence s = t.newSequence(pool);
        List<Integer> blocks = new ArrayList<>();
        for (int b = 0; b < pool.blocks(); b++) blocks.add(b);
        Collections.shuffle(blocks, new Random(3));
        for (int b = 0; b < 6; b++) s.appendBlock(blocks.get(b));
        Random random = new Random(heads * 31 + headDim);
        Transformer.Batch batch = t.newBatch(64);
        try (Parallel parallel = new Parallel(2)) {
            for (int chunk : new int[]{15, 1, 17, 31, 64, 1, 1, 33}) { // lengths 15, 16, 33, 64, 128, 129, 130, 163
                for (int i = 0; i < chunk; i++) {
                    batch.add(s, 0, false);
                    randomRow(batch, i, c, random);
                }
                t.attend(batch, 0, parallel);
                for (int i = 0; i < chunk; i++) {
                    assertRowIsPlainAttention(batch, i, s, c);
                }
                s.setLength(s.length() + chunk);
                batch.clear();
            }
        }
    }

    private static void assertRowIsPlainAttention(Transformer.Batch batch, int row, Transformer.Sequence s,
                                                  ModelConfig c) {
        int hd = c.headDim(), group = c.heads() / c.kvHeads(), pos = batch.positions[row];
        KvPool pool = s.cache().pool();
        int bs = pool.blockSize();
        for (int h = 0; h < c.heads(); h++) {
            int kvHead = h / group;
            double[] scores = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p <= pos; p++) {
                double dot = 0;
                for (int i = 0; i < hd; i++) {
                    dot += (double) batch.q[row * c.qDim() + h * hd + i]
                            * pool.key(0, s.cache().block(p / bs), p % bs, kvHead, i);
                }
                scores[p] = dot / Math.sqrt(hd);
                max = Math.max(max, scores[p]);
            }
            double sum = 0;
            for (int p = 0; p <= pos; p++) sum += scores[p] = Math.exp(scores[p] - max);
            for (int i = 0; i < hd; i++) {
                double expected = 0;
                for (int p = 0; p <= pos; p++) {
                    expected += scores[p] * pool.value(0, s.cache().block(p / bs), p % bs, kvHead, i);
                }
                expected /= sum;
                float actual = batch.xb[row * batch.xbStride + h * hd + i];
                assertThat((double) actual).as("row at %d, head %d, element %d", pos, h, i)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(2e-5 * (1 + Math.abs(expected))));
            }
        }
    }
}
