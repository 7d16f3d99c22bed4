package dev.junction.engine.runtime;

import dev.junction.engine.chat.ChatMessage;
import dev.junction.engine.chat.ChatTemplate;
import dev.junction.engine.chat.ChatTemplateException;
import dev.junction.engine.chat.reasoning.ReasoningParser;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvPool;
import dev.junction.engine.model.Model;
import dev.junction.engine.model.ModelConfig;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.engine.tokenizer.Tokenizer;
import dev.junction.inference.Generation;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.InferenceService;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import dev.junction.inference.ServiceStats;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves one model loaded on this machine to many callers at once: requests are validated and tokenized on the
 * caller's thread, then batched by one engine thread (continuous batching over a paged KV cache with prefix reuse,
 * see {@link Scheduler}). This is what the HTTP server and the CLI talk to, through {@link InferenceService}.
 *
 * <p>Refused at once, by exception from {@link #generate}: an unknown model (MODEL_NOT_FOUND), an empty or invalid
 * prompt (INVALID_REQUEST), a prompt that leaves no room for a token in the context (CONTEXT_LENGTH_EXCEEDED), a full
 * queue (OVERLOADED) and anything after shutdown began (UNAVAILABLE). Afterwards errors arrive on the listener: a
 * request that waits longer than the queue timeout (QUEUE_TIMEOUT), a failure in the engine (INTERNAL).
 *
 * <p>Output semantics: generation stops at an end-of-generation token (STOP; the token is counted and its event
 * releases any held-back text), at a stop string (STOP; the stop string and anything after it are not emitted), when
 * the request's max tokens or the context are reached (LENGTH), or when cancelled (CANCELLED). The frequency and
 * presence penalties count the generated tokens, as in the OpenAI API.
 */
public final class LocalInferenceService implements InferenceService {
    private static final Logger LOG = LoggerFactory.getLogger(LocalInferenceService.class);

    private final ModelInfo info;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final ChatPrompt.Renderer chatPrompts;
    private final ReasoningFormat reasoningFormat;
    private final EngineConfig config;
    private final int vocab;
    private final EngineLoop loop;
    private final AtomicLong ids = new AtomicLong();

    /**
     * A service over any runner (a fake one in tests): {@code config} must be resolved (context and blocks set), and
     * the block manager and the runner built for it.
     */
    LocalInferenceService(String id, Tokenizer tokenizer, ChatTemplate chatTemplate, EngineConfig config,
                          BlockManager blocks, ModelRunner runner, InstantSource clock) {
        if (config.contextLength() == 0 || config.kvBlocks() != blocks.totalBlocks()
                || config.blockSize() != blocks.blockSize()) {
            throw new IllegalArgumentException("the configuration must be resolved and match the block manager");
        }
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.chatPrompts = new ChatPrompt.Renderer(chatTemplate, tokenizer);
        this.reasoningFormat = ReasoningFormat.of(chatTemplate);
        this.config = config;
        this.vocab = runner.vocabSize();
        Scheduler scheduler = new Scheduler(blocks, config.maxRunning(), config.tokenBudget());
        this.loop = new EngineLoop(scheduler, runner, config.queueTimeout(), config.maxQueue(), clock, id);
        this.info = new ModelInfo(id, "junction", clock.instant().getEpochSecond(), config.contextLength());
        loop.start();
    }

    /**
     * Starts serving {@code model} under the name {@code id}: resolves the configuration for it, allocates the KV pool
     * and starts the engine thread. The caller keeps ownership of the model and of {@code parallel}, and closes them
     * after {@link #shutdown}; while the service runs, its engine thread is the only user {@code parallel} may have
     * (a {@link Parallel} runs one loop at a time).
     *
     * @throws IllegalArgumentException when the configuration does not suit the model, or the KV pool does not fit in
     *                                  memory
     */
    public static LocalInferenceService start(String id, Model model, EngineConfig config, Parallel parallel) {
        return start(id, model, config, parallel, InstantSource.system());
    }

    /** As {@link #start(String, Model, EngineConfig, Parallel)}, with the clock that times the queue. */
    public static LocalInferenceService start(String id, Model model, EngineConfig config, Parallel parallel,
                                              InstantSource clock) {
        ModelConfig mc = model.config();
        long budget = kvMemoryBudget(model);
        long blockBytes = KvPool.bytesPerBlock(mc, config.blockSize(), config.cacheType());
        long windowBytes = KvPool.windowBytesPerBlock(mc, config.blockSize(), config.cacheType());
        int windowBlocks = config.windowBlocks(mc, blockBytes - windowBytes, windowBytes, budget);
        if (windowBlocks == 0) windowBytes = 0; // the sliding-window layers share the others' blocks
        EngineConfig resolved = config.resolve(mc, blockBytes - windowBytes, budget - windowBlocks * windowBytes);
        KvPool pool = new KvPool(mc, resolved.kvBlocks(), windowBlocks, resolved.blockSize(), resolved.cacheType());
        BlockManager blocks = new BlockManager(resolved.kvBlocks(), windowBlocks, resolved.blockSize(), mc.window());
        LOG.info("{}: KV pool of {} blocks of {} positions{} ({} MiB, {})", id, resolved.kvBlocks(),
                resolved.blockSize(), windowBlocks == 0 ? ""
                        : ", and " + windowBlocks + " for the sliding-window layers (window " + mc.window() + ")",
                pool.bytes() >> 20, resolved.cacheType());
        ModelRunner runner = new TransformerRunner(model.transformer(), pool, resolved.maxRunning(),
                resolved.tokenBudget(), parallel);
        return new LocalInferenceService(id, model.tokenizer(), model.chatTemplate(), resolved, blocks, runner, clock);
    }

    /**
     * What an automatic KV pool may take: half of the machine's memory beyond the model's weights, and no more than
     * nine tenths of the native memory this JVM may still reserve (the pool is native memory, which the JVM caps at
     * {@code -XX:MaxDirectMemorySize}, by default the heap's maximum) — past that the pool could not be allocated.
     */
    private static long kvMemoryBudget(Model model) {
        return Math.min(machineBudget(model), directMemoryLeft() / 10 * 9);
    }

    /** Native memory the JVM will still hand out: its direct-memory limit less what is reserved already. */
    private static long directMemoryLeft() {
        long limit = Runtime.getRuntime().maxMemory();
        var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        if (hotspot != null) {
            long set = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            if (set > 0) limit = set;
        }
        long used = 0;
        for (var pool : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) used += pool.getMemoryUsed();
        }
        return Math.max(0, limit - used);
    }

    private static long machineBudget(Model model) {
        long total = Long.MAX_VALUE;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
        }
        long weights = 0;
        try {
            weights = Files.size(model.path());
        } catch (IOException e) {
            // unknown: count nothing for them
        }
        return Math.max(0, total - weights) / 2;
    }

    /** The configuration in effect, automatic values resolved. */
    public EngineConfig config() {
        return config;
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(info);
    }

    @Override
    public boolean ready() {
        return loop.accepting();
    }

    @Override
    public ServiceStats stats() {
        return loop.stats();
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!request.model().equals(info.id())) throw InferenceException.modelNotFound(request.model());
        if (!loop.accepting()) throw new InferenceException(Kind.UNAVAILABLE, null, "The service is shutting down");
        String param = request.prompt() instanceof Prompt.Chat ? "messages" : "prompt";
        Input input = input(request.prompt());
        int[] prompt = input.ids();
        if (prompt.length == 0) {
            throw new InferenceException(Kind.INVALID_REQUEST, param, "The prompt is empty: there is nothing to "
                    + "continue from");
        }
        int context = config.contextLength();
        if (prompt.length + 1 > context) {
            throw new InferenceException(Kind.CONTEXT_LENGTH_EXCEEDED, param, "This model's maximum context length "
                    + "is " + context + " tokens, but the prompt has " + prompt.length + " tokens, which leaves no "
                    + "room to generate");
        }
        int maxLength = request.maxTokens() <= 0 ? context
                : (int) Math.min(context, (long) prompt.length + request.maxTokens());
        int firstScored = !request.promptLogprobs() ? -1
                : addedStartToken(request.prompt(), prompt) ? 1 : 0;
        Request r = new Request("gen-" + ids.incrementAndGet(), prompt, maxLength, samplingParams(request.sampling()),
                request.stop(), request.logprobs(), request.topLogprobs(), firstScored, tokenizer, vocab,
                input.reasoning(), listener, loop::cancel, loop.nowMillis());
        loop.submit(r);
        return r;
    }

    @Override
    public String detokenize(String model, int[] tokens) {
        if (!model.equals(info.id())) throw InferenceException.modelNotFound(model);
        return Logprobs.promptText(checkedIds(tokens), tokenizer);
    }

    /** Whether {@link #input} put a start-of-text token the caller did not write before the prompt. */
    private boolean addedStartToken(Prompt prompt, int[] tokens) {
        return prompt instanceof Prompt.Text && tokenizer.addsBos() && tokens.length > 0 && tokens[0] == tokenizer.bos();
    }

    /** A prompt's token ids, and the parser of the reasoning the model writes after it (null: none). */
    private record Input(int[] ids, ReasoningParser reasoning) {
    }

    private Input input(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text t -> new Input(tokenizer.encode(t.text(), true, true), null);
            case Prompt.Tokens t -> new Input(checkedIds(t.ids()), null);
            case Prompt.Chat c -> {
                ChatPrompt chat = render(c);
                yield new Input(chat.ids(), reasoningFormat.parserAfter(chat.text()));
            }
        };
    }

    /** A copy of {@code ids}, each checked to be in the vocabulary. */
    private int[] checkedIds(int[] ids) {
        int limit = Math.min(vocab, tokenizer.vocabSize());
        for (int id : ids) {
            if (id < 0 || id >= limit) {
                throw new InferenceException(Kind.INVALID_REQUEST, "prompt", "Token id " + id
                        + " is outside the vocabulary of " + limit + " tokens");
            }
        }
        return ids.clone();
    }

    /** A conversation rendered with the model's chat template, control tokens only where the template wrote them. */
    private ChatPrompt render(Prompt.Chat chat) {
        try {
            // OpenAI's "developer" messages are what open models' templates know as "system"
            List<ChatMessage> messages = chat.messages().stream()
                    .map(m -> new ChatMessage(m.role().equals(ChatMessage.DEVELOPER) ? ChatMessage.SYSTEM
                            : m.role(), m.content())).toList();
            return chatPrompts.render(messages, templateArguments(chat));
        } catch (ChatTemplateException | IllegalArgumentException e) {
            throw new InferenceException(Kind.INVALID_REQUEST, "messages", e.getMessage());
        }
    }

    /**
     * The request's template arguments, each of which the model's chat template must read: one it would ignore is
     * refused rather than silently dropped (a {@code reasoning_effort} for a model that does not reason, say).
     */
    private Map<String, Object> templateArguments(Prompt.Chat chat) {
        for (String name : chat.templateArguments().keySet()) {
            if (!chatTemplate.uses(name)) {
                String param = name.equals("reasoning_effort") ? name : "chat_template_kwargs." + name;
                throw new InferenceException(Kind.INVALID_REQUEST, param, "'" + param + "' is not supported by model '"
                        + info.id() + "': its chat template does not use '" + name + "'.");
            }
        }
        return chat.templateArguments();
    }

    private SamplingParams samplingParams(Sampling s) {
        Map<Integer, Float> bias = new HashMap<>();
        for (var e : s.logitBias().entrySet()) {
            if (e.getKey() >= vocab) {
                throw new InferenceException(Kind.INVALID_REQUEST, "logit_bias", "logit_bias names token " + e.getKey()
                        + ", outside the vocabulary of " + vocab + " tokens");
            }
            bias.put(e.getKey(), e.getValue().floatValue());
        }
        long seed = s.seed() != null ? s.seed() : SamplingParams.randomSeed();
        return new SamplingParams((float) s.temperature(), s.topK(), (float) s.topP(), (float) s.minP(), 1f,
                (float) s.frequencyPenalty(), (float) s.presencePenalty(), config.contextLength(), bias, seed);
    }

    @Override
    public void shutdown(long graceMillis) {
        loop.shutdown(graceMillis);
    }
}
