package dev.junction.engine.runtime;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.engine.tokenizer.Tokenizer;
import dev.junction.testkit.TestModels;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An {@link EngineCore} over a {@link FakeModel}, driven step by step on the test's own thread — the same core the
 * {@link EngineLoop} drives. Requests are greedy, with stories260K's tokenizer turning the fake model's tokens into
 * text; the fake model never picks an end-of-generation token, so a request ends at its length unless cancelled.
 * A cancelled request's cancellation is held until {@link #deliverCancels}, as the loop holds it until its next turn.
 */
final class CoreHarness {
    static final Tokenizer TOKENIZER = loadTokenizer();

    final ManualClock clock = new ManualClock();
    final BlockManager blocks;
    final Scheduler scheduler;
    final FakeModel model;
    final EngineCore core;
    private final List<Request> pendingCancels = new ArrayList<>();
    private int nextId;

    /** A clock the test moves. */
    static final class ManualClock implements InstantSource {
        long millis = 1_700_000_000_000L;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    CoreHarness(int vocab, int blocks, int blockSize, int maxRunning, int budget, long queueTimeoutMillis) {
        this(vocab, new BlockManager(blocks, blockSize), maxRunning, budget, queueTimeoutMillis);
    }

    CoreHarness(int vocab, BlockManager blocks, int maxRunning, int budget, long queueTimeoutMillis) {
        this.blocks = blocks;
        this.scheduler = new Scheduler(this.blocks, maxRunning, budget);
        int[] endTokens = IntStream.range(0, vocab).filter(TOKENIZER::isEndOfGeneration).toArray();
        this.model = new FakeModel(vocab, this.blocks, maxRunning).avoid(endTokens);
        this.core = new EngineCore(scheduler, model, queueTimeoutMillis, new RetryAdvice(60), clock);
    }

    private static Tokenizer loadTokenizer() {
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            return Tokenizer.fromGguf(f.metadata());
        }
    }

    /** A greedy request for {@code maxTokens} tokens after {@code prompt}, accepted but not yet added to the core. */
    Request accept(int[] prompt, int maxTokens, Collector listener) {
        Request r = new Request("test-" + nextId++, prompt, prompt.length + maxTokens, SamplingParams.greedy(),
                List.of(), false, 0, -1, TOKENIZER, model.vocabSize(), null, listener, pendingCancels::add, clock.millis());
        core.accepted();
        return r;
    }

    /** Accepts a request and adds it to the core at once. */
    Request submit(int[] prompt, int maxTokens, Collector listener) {
        Request r = accept(prompt, maxTokens, listener);
        core.add(r);
        return r;
    }

    /** Hands the cancellations made since the last call to the core, as the loop does on its next turn. */
    void deliverCancels() {
        List<Request> now = List.copyOf(pendingCancels);
        pendingCancels.clear();
        for (Request r : now) core.cancel(r);
    }

    /** Steps until nothing is left to do; fails after {@code maxSteps}. */
    void runToEnd(int maxSteps) {
        for (int steps = 0; core.hasWork(); steps++) {
            if (steps == maxSteps) throw new AssertionError("no end after " + maxSteps + " steps");
            core.step();
        }
    }

    /** The tokens a request generated: those its sequence holds past the prompt, and the last one it sampled. */
    static int[] generated(Request r) {
        Sequence s = r.sequence;
        int[] tokens = Arrays.copyOfRange(s.tokens(), s.promptLength(), s.length() + 1);
        tokens[tokens.length - 1] = r.lastToken();
        return tokens;
    }

    /** What greedy decoding gives for this request without any cache. */
    int[] reference(Request r) {
        return model.reference(r.prompt, r.maxLength - r.prompt.length);
    }
}
