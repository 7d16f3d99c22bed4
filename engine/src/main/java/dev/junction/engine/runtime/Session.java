package dev.junction.engine.runtime;

import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.Model;
import dev.junction.engine.model.Transformer;
import dev.junction.engine.sampling.Sampler;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.engine.tokenizer.StreamingDecoder;
import dev.junction.inference.FinishReason;

import java.util.Arrays;

/**
 * One conversation with a model on this machine: a sequence whose KV cache persists between calls, so a chat that
 * resends its whole history only computes the new tokens (the common prefix with what the cache holds is kept).
 * Not thread-safe.
 */
public final class Session {
    /**
     * Receives each generated token with the text it completes (possibly empty while a UTF-8 character is still
     * incomplete); returns false to stop generating. A last call with token -1 carries text still held back at the
     * end (bytes that never formed a whole character).
     */
    @FunctionalInterface
    public interface TokenSink {
        boolean accept(int token, String text);
    }

    /**
     * Receives the raw (pre-softmax) logits over the vocabulary from which step {@code step} (0 = the first generated
     * token) samples, before sampling; the array is valid only during the call.
     */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int step, float[] logits);
    }

    /** Counts and timings of one {@link #generate} call. */
    public record Stats(int promptTokens, int cachedTokens, int generatedTokens, long promptNanos, long generateNanos,
                        FinishReason finishReason) {
        public double promptTokensPerSecond() {
            return rate(promptTokens - cachedTokens, promptNanos);
        }

        public double generateTokensPerSecond() {
            return rate(generatedTokens, generateNanos);
        }

        private static double rate(int tokens, long nanos) {
            return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
        }
    }

    private final Model model;
    private final Transformer transformer;
    private final Parallel parallel;
    private final Transformer.Sequence sequence;
    private int[] tokens = new int[0];

    /** A session able to hold {@code capacity} tokens (prompt and generated together), with an F32 KV cache. */
    public Session(Model model, Parallel parallel, int capacity) {
        this(model, parallel, capacity, KvCache.Type.F32);
    }

    public Session(Model model, Parallel parallel, int capacity, KvCache.Type cacheType) {
        this(model, model.transformer(), parallel, capacity, cacheType);
    }

    private Session(Model model, Transformer transformer, Parallel parallel, int capacity, KvCache.Type cacheType) {
        this.model = model;
        this.transformer = transformer;
        this.parallel = parallel;
        this.sequence = transformer.newSequence(capacity, cacheType);
    }

    /**
     * A session computing in the engine's exact mode: float activations in every product and an F32 KV cache (slower;
     * what comparisons with F32 references such as llama.cpp's on dequantized weights need).
     */
    public static Session exact(Model model, Parallel parallel, int capacity) {
        Transformer exact = new Transformer(model.config(), model.transformer().weights(), true);
        return new Session(model, exact, parallel, capacity, KvCache.Type.F32);
    }

    public int capacity() {
        return sequence.capacity();
    }

    /**
     * Feeds {@code prompt} (continuing from whatever prefix of it the cache already holds) and generates up to
     * {@code maxTokens} tokens, streaming them to {@code sink}. Stops at an end-of-generation token, at
     * {@code maxTokens}, when the context is full, or when the sink says so.
     */
    public Stats generate(int[] prompt, SamplingParams params, int maxTokens, TokenSink sink) {
        return generate(prompt, params, maxTokens, (step, logits) -> {
        }, sink);
    }

    /** As {@link #generate(int[], SamplingParams, int, TokenSink)}, also handing each step's logits to {@code logitsSink}. */
    public Stats generate(int[] prompt, SamplingParams params, int maxTokens, LogitsSink logitsSink, TokenSink sink) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt: nothing to continue from");
        if (prompt.length > capacity()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens exceeds the context of "
                    + capacity() + " tokens");
        }
        // keep the common prefix, but always recompute the last prompt token to get its logits
        int cached = Math.min(commonPrefix(tokens, prompt), prompt.length - 1);
        cached = sequence.truncate(Math.min(cached, sequence.length()));

        long start = System.nanoTime();
        Sampler sampler = new Sampler(params);
        for (int token : prompt) sampler.accept(token);
        float[] logits = transformer.forwardBatch(sequence, prompt, cached, prompt.length, true, parallel);
        long promptDone = System.nanoTime();

        int[] history = Arrays.copyOf(prompt, prompt.length + Math.max(0, maxTokens));
        int count = 0;
        FinishReason reason = FinishReason.LENGTH;
        StreamingDecoder decoder = new StreamingDecoder(model.tokenizer());
        while (count < maxTokens) {
            logitsSink.accept(count, logits);
            int next = sampler.sample(logits);
            if (model.tokenizer().isEndOfGeneration(next)) {
                reason = FinishReason.STOP;
                break;
            }
            sampler.accept(next);
            history[prompt.length + count++] = next;
            if (!sink.accept(next, decoder.next(next))) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (count == maxTokens) break;
            if (sequence.length() >= capacity()) {
                reason = FinishReason.LENGTH;
                break;
            }
            logits = transformer.forward(sequence, next, parallel);
        }
        String rest = decoder.flush();
        if (!rest.isEmpty()) sink.accept(-1, rest);
        tokens = Arrays.copyOf(history, prompt.length + count);
        return new Stats(prompt.length, cached, count, promptDone - start, System.nanoTime() - promptDone, reason);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
