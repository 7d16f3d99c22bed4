package dev.junction.engine.runtime;

import dev.junction.engine.chat.ChatTemplate;
import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.Model;
import dev.junction.engine.tokenizer.StreamingDecoder;
import dev.junction.engine.tokenizer.Tokenizer;
import dev.junction.inference.GenerationRequest;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * What the tests of {@link LocalInferenceService} share: stories260K's real tokenizer and chat template, a service
 * over a {@link FakeModel} started per test (and shut down after it) on a clock the test moves, and helpers to run a
 * request and spell tokens.
 */
abstract class ServiceFixture {
    static Model model;
    static Tokenizer tokenizer;

    FakeModel fake;
    LocalInferenceService service;
    final MutableClock clock = new MutableClock();

    static final class MutableClock implements InstantSource {
        volatile long millis = 1_700_000_000_000L;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        void advance(Duration d) {
            millis += d.toMillis();
        }
    }

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.stories260K(), LoadProgress.NONE);
        tokenizer = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @AfterEach
    void stop() {
        if (service != null) service.shutdown(0);
    }

    static EngineConfig config(int maxRunning, int maxQueue, int context, int blocks) {
        return new EngineConfig(maxRunning, maxQueue, Duration.ofSeconds(5), context, 4, blocks, 64, KvCache.Type.F32);
    }

    LocalInferenceService start(EngineConfig config) {
        return start(config, model.chatTemplate());
    }

    LocalInferenceService start(EngineConfig config, ChatTemplate template) {
        BlockManager blocks = new BlockManager(config.kvBlocks(), config.blockSize());
        fake = new FakeModel(tokenizer.vocabSize(), blocks, config.maxRunning()).avoid(tokenizer.eos());
        service = new LocalInferenceService("fake", tokenizer, template, config, blocks, fake, clock);
        return service;
    }

    Collector run(GenerationRequest request) {
        Collector c = new Collector();
        service.generate(request, c);
        return c;
    }

    String textOf(int[] tokens) {
        StreamingDecoder d = new StreamingDecoder(tokenizer);
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) sb.append(d.next(t));
        return sb.append(d.flush()).toString();
    }
}
