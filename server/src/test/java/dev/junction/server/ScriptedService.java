package dev.junction.server;

import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.Generation;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceService;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.Prompt;
import dev.junction.inference.ServiceStats;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import dev.junction.inference.Usage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A test double of an inference service: every generation emits the scripted tokens, one per step of the service's
 * single thread (as an engine's scheduler would), then stops — or ends early at {@code max_tokens}, fails when told
 * to, and honours cancel within a step. Its prompt "tokens" are whitespace-separated words.
 */
final class ScriptedService implements InferenceService {
    static final String MODEL = "scripted-model";
    /** The log-probability of every scripted token. */
    static final double LOGPROB = -0.5;

    private final List<ModelInfo> models;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("scripted-service").daemon().unstarted(r));
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger cancellations = new AtomicInteger();
    private volatile List<String> tokens = List.of("Hello", " world");
    private volatile List<String> reasoning = List.of();
    private volatile Duration step = Duration.ZERO;
    private volatile boolean endless;
    private volatile InferenceException refusal;
    private volatile InferenceException failure;
    private volatile int failAfter;
    private volatile boolean ready = true;
    private volatile ServiceStats stats = ServiceStats.EMPTY;
    private volatile long shutdownGrace = -1;

    ScriptedService(String... modelIds) {
        List<ModelInfo> infos = new ArrayList<>();
        for (String id : modelIds.length == 0 ? new String[]{MODEL} : modelIds) {
            infos.add(new ModelInfo(id, "junction", 1_700_000_000L, 4096));
        }
        this.models = List.copyOf(infos);
    }

    /** Every generation emits these tokens, then stops. */
    ScriptedService replying(String... scripted) {
        this.tokens = List.of(scripted);
        return this;
    }

    /** Every generation first emits these tokens as reasoning (written apart from the answer), then its answer. */
    ScriptedService reasoningFirst(String... scripted) {
        this.reasoning = List.of(scripted);
        return this;
    }

    /** Waits this long before each token. */
    ScriptedService stepping(Duration delay) {
        this.step = delay;
        return this;
    }

    /** Emits {@code "tick "} until cancelled or out of max_tokens. */
    ScriptedService endlessly() {
        this.endless = true;
        return this;
    }

    /** {@code generate} throws this. */
    ScriptedService refusing(InferenceException e) {
        this.refusal = e;
        return this;
    }

    /** Each generation reports this error after emitting {@code tokens} tokens. */
    ScriptedService failingAfter(int emitted, InferenceException e) {
        this.failAfter = emitted;
        this.failure = e;
        return this;
    }

    ScriptedService reporting(ServiceStats s) {
        this.stats = s;
        return this;
    }

    void ready(boolean r) {
        this.ready = r;
    }

    /** Every request queued so far, in order. */
    List<GenerationRequest> requests() {
        return List.copyOf(requests);
    }

    /** Cancels of generations that had not yet ended. */
    int cancellations() {
        return cancellations.get();
    }

    int running() {
        return running.size();
    }

    /** The grace {@link #shutdown} was called with, or -1. */
    long shutdownGrace() {
        return shutdownGrace;
    }

    @Override
    public List<ModelInfo> models() {
        return models;
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        if (refusal != null) throw refusal;
        if (model(request.model()).isEmpty()) throw InferenceException.modelNotFound(request.model());
        if (shutdownGrace >= 0) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, null, "shutting down");
        }
        requests.add(request);
        Run run = new Run(request, listener);
        running.add(run);
        thread.schedule(run::step, step.toNanos(), TimeUnit.NANOSECONDS);
        return run;
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public ServiceStats stats() {
        return stats;
    }

    @Override
    public void shutdown(long graceMillis) {
        shutdownGrace = graceMillis;
        try {
            long waited = 0;
            while (!running.isEmpty() && waited < graceMillis) {
                Thread.sleep(5);
                waited += 5;
            }
            running.forEach(Run::cancel);
            while (!running.isEmpty()) Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdown();
    }

    /** Token ids spelled {@code "#id"}, space-separated: the text of a token-id prompt here. */
    @Override
    public String detokenize(String model, int[] ids) {
        if (model(model).isEmpty()) throw InferenceException.modelNotFound(model);
        return spell(ids);
    }

    private static String spell(int[] ids) {
        return Arrays.stream(ids).mapToObj(id -> "#" + id).collect(Collectors.joining(" "));
    }

    private static int words(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text(String text) -> count(text);
            case Prompt.Tokens tokens -> tokens.ids().length;
            case Prompt.Chat(List<Prompt.Message> messages, var arguments) ->
                    messages.stream().mapToInt(m -> count(m.content())).sum();
        };
    }

    private static int count(String text) {
        return text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }

    /** One generation; every step runs on the service's thread. */
    private final class Run implements Generation {
        private final GenerationRequest request;
        private final GenerationListener listener;
        private volatile boolean cancelRequested;
        private volatile boolean ended;
        private int emitted;

        Run(GenerationRequest request, GenerationListener listener) {
            this.request = request;
            this.listener = listener;
        }

        @Override
        public String id() {
            return "run-" + System.identityHashCode(this);
        }

        @Override
        public void cancel() {
            if (ended || cancelRequested) return;
            cancelRequested = true;
            cancellations.incrementAndGet();
            if (!thread.isShutdown()) thread.execute(this::step);
        }

        void step() {
            if (ended) return;
            if (cancelRequested) {
                end(FinishReason.CANCELLED);
            } else if (failure != null && emitted == failAfter) {
                ended = true;
                running.remove(this);
                listener.onError(failure);
            } else if (request.maxTokens() > 0 && emitted == request.maxTokens()) {
                end(FinishReason.LENGTH);
            } else if (!endless && emitted == reasoning.size() + tokens.size()) {
                end(FinishReason.STOP);
            } else {
                if (emitted == 0 && request.promptLogprobs()) listener.onPromptLogprobs(promptScores());
                boolean thinking = emitted < reasoning.size();
                String text = endless ? "tick " : thinking ? reasoning.get(emitted)
                        : tokens.get(emitted - reasoning.size());
                emitted++;
                TokenLogprob logprob = request.logprobs() ? logprob(text) : null;
                listener.onToken(thinking ? new TokenEvent("", text, logprob) : new TokenEvent(text, logprob));
                thread.schedule(this::step, step.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        /**
         * The prompt's words with their leading spaces (token ids: {@code "#id"}, space-separated), the first unscored (NaN), the
         * others as generated ones.
         */
        private List<TokenLogprob> promptScores() {
            String text = switch (request.prompt()) {
                case Prompt.Text(String t) -> t;
                case Prompt.Tokens(int[] ids) -> spell(ids);
                case Prompt.Chat chat -> "";
            };
            List<TokenLogprob> scores = new ArrayList<>();
            Matcher word = Pattern.compile("\\s*\\S+").matcher(text);
            while (word.find()) {
                String w = word.group();
                scores.add(scores.isEmpty() ? new TokenLogprob(w, Double.NaN, w.getBytes(StandardCharsets.UTF_8), null)
                        : logprob(w));
            }
            return scores;
        }

        private TokenLogprob logprob(String text) {
            List<TokenLogprob> top = new ArrayList<>();
            for (int k = 0; k < request.topLogprobs(); k++) {
                String alternative = k == 0 ? text : "alt" + k;
                double logprob = k == 0 ? LOGPROB : LOGPROB - k;
                top.add(new TokenLogprob(alternative, logprob, alternative.getBytes(StandardCharsets.UTF_8), null));
            }
            return new TokenLogprob(text, LOGPROB, text.getBytes(StandardCharsets.UTF_8), top);
        }

        private void end(FinishReason reason) {
            ended = true;
            running.remove(this);
            listener.onComplete(new Completion(reason, new Usage(words(request.prompt()), emitted, 0)));
        }
    }
}
