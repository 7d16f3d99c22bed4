package dev.junction.server;

import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.Generation;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceService;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import dev.junction.inference.Usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The generations of one request — {@code n} choices for each of its prompts — whose events meet in one queue. The
 * service's thread only enqueues (its listener never blocks); the request's own thread takes the events and writes
 * them. Closing cancels whatever has not ended, so a request that fails or whose client leaves frees its sequences.
 * Confined to the request's thread, except the listeners.
 */
final class Choices implements AutoCloseable {
    /** What happened to choice {@code choice}. */
    sealed interface Event {
        int choice();
    }

    /** The scores of the choice's prompt tokens, before its first token (only when the request asked). */
    record PromptScored(int choice, List<TokenLogprob> logprobs) implements Event {
    }

    record Token(int choice, TokenEvent token) implements Event {
    }

    record Done(int choice, Completion completion) implements Event {
    }

    record Failed(int choice, InferenceException error) implements Event {
    }

    /**
     * A finished choice of a non-streaming request; {@code reasoning} empty unless the model reasons apart from its
     * answer, {@code promptLogprobs} empty unless asked.
     */
    record Result(String text, String reasoning, List<TokenLogprob> promptLogprobs, List<TokenLogprob> logprobs,
                  Completion completion) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Generation> generations;
    private final int choicesPerPrompt;
    private int open;
    private int promptTokens;
    private int completionTokens;
    private int cachedTokens;
    private boolean anyDone;

    private Choices(int count, int choicesPerPrompt) {
        this.generations = new ArrayList<>(count);
        this.choicesPerPrompt = choicesPerPrompt;
        this.open = count;
    }

    /**
     * Queues every request (choice {@code i} is {@code requests.get(i)}).
     *
     * @throws InferenceException when the service refuses one; those already queued are cancelled
     */
    static Choices start(InferenceService service, List<GenerationRequest> requests, int choicesPerPrompt,
                         ServerMetrics metrics) {
        Choices choices = new Choices(requests.size(), choicesPerPrompt);
        try {
            for (int i = 0; i < requests.size(); i++) {
                GenerationRequest request = requests.get(i);
                choices.generations.add(service.generate(request,
                        choices.new Listener(i, metrics.generation(request.model()))));
            }
        } catch (RuntimeException e) {
            choices.close();
            throw e;
        }
        return choices;
    }

    /** The next event, waiting for it. */
    Event next() throws InterruptedException {
        return account(events.take());
    }

    /** Whether an event is waiting, so the writer can batch it before flushing. */
    boolean hasPending() {
        return !events.isEmpty();
    }

    boolean allEnded() {
        return open == 0;
    }

    /** Waits for every choice and gathers its text. @throws InferenceException the first failure */
    List<Result> collect() throws InterruptedException {
        int count = generations.size();
        List<StringBuilder> texts = new ArrayList<>(count);
        List<StringBuilder> reasonings = new ArrayList<>(count);
        List<List<TokenLogprob>> logprobs = new ArrayList<>(count);
        List<List<TokenLogprob>> promptLogprobs = new ArrayList<>(Collections.nCopies(count, List.of()));
        Completion[] completions = new Completion[count];
        for (int i = 0; i < count; i++) {
            texts.add(new StringBuilder());
            reasonings.add(new StringBuilder());
            logprobs.add(new ArrayList<>());
        }
        while (!allEnded()) {
            switch (next()) {
                case PromptScored(int i, List<TokenLogprob> scores) -> promptLogprobs.set(i, scores);
                case Token(int i, TokenEvent token) -> {
                    texts.get(i).append(token.text());
                    reasonings.get(i).append(token.reasoning());
                    if (token.logprob() != null) logprobs.get(i).add(token.logprob());
                }
                case Done(int i, Completion completion) -> {
                    if (completion.finishReason() == FinishReason.CANCELLED) throw cancelledByShutdown();
                    completions[i] = completion;
                }
                case Failed(int i, InferenceException error) -> throw error;
            }
        }
        List<Result> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            results.add(new Result(texts.get(i).toString(), reasonings.get(i).toString(), promptLogprobs.get(i),
                    List.copyOf(logprobs.get(i)),
                    completions[i]));
        }
        return results;
    }

    /**
     * Cancels every choice and waits briefly for them to end (the engine stops within a step), so that the usage of
     * what was generated before the client left still reaches metering.
     */
    void cancelAndDrain(Duration patience) throws InterruptedException {
        cancelAll();
        while (!allEnded()) {
            Event event = events.poll(patience.toNanos(), TimeUnit.NANOSECONDS);
            if (event == null) return;
            account(event);
        }
    }

    /**
     * What a choice that ended {@link FinishReason#CANCELLED} without this request cancelling it means: the service
     * is shutting down (the OpenAI API has no finish reason for it).
     */
    static InferenceException cancelledByShutdown() {
        return new InferenceException(InferenceException.Kind.UNAVAILABLE, null,
                "The generation was cancelled: the server is shutting down.");
    }

    /** Tokens consumed so far: each prompt once, completions over all choices; null before any choice ended. */
    Usage usage() {
        return anyDone ? new Usage(promptTokens, completionTokens, cachedTokens) : null;
    }

    void cancelAll() {
        generations.forEach(Generation::cancel);
    }

    @Override
    public void close() {
        cancelAll();
    }

    private Event account(Event event) {
        if (event instanceof Done(int i, Completion completion)) {
            open--;
            anyDone = true;
            Usage usage = completion.usage();
            completionTokens += usage.completionTokens();
            if (i % choicesPerPrompt == 0) {
                promptTokens += usage.promptTokens();
                cachedTokens += usage.cachedTokens();
            }
        } else if (event instanceof Failed) {
            open--;
        }
        return event;
    }

    /** Runs on the service's thread: times the token, enqueues, returns. */
    private final class Listener implements GenerationListener {
        private final int choice;
        private final ServerMetrics.GenerationTimer timer;

        Listener(int choice, ServerMetrics.GenerationTimer timer) {
            this.choice = choice;
            this.timer = timer;
        }

        @Override
        public void onPromptLogprobs(List<TokenLogprob> logprobs) {
            events.add(new PromptScored(choice, logprobs));
        }

        @Override
        public void onToken(TokenEvent token) {
            timer.token();
            events.add(new Token(choice, token));
        }

        @Override
        public void onComplete(Completion completion) {
            timer.complete(completion);
            events.add(new Done(choice, completion));
        }

        @Override
        public void onError(InferenceException error) {
            events.add(new Failed(choice, error));
        }
    }
}
