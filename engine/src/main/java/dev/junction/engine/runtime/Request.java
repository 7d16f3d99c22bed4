package dev.junction.engine.runtime;

import dev.junction.engine.chat.reasoning.ParsedOutput;
import dev.junction.engine.chat.reasoning.ReasoningEvent;
import dev.junction.engine.chat.reasoning.ReasoningParser;
import dev.junction.engine.sampling.Sampler;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.engine.tokenizer.StreamingDecoder;
import dev.junction.engine.tokenizer.Tokenizer;
import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.Generation;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.InferenceException;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import dev.junction.inference.Usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One accepted generation as the engine serves it: the validated prompt and limits, and the per-request state that
 * turns logits into events — its own {@link Sampler} (so its output depends only on its seed and logits), a
 * {@link StreamingDecoder}, its {@link StopStrings} and the listener. Everything but {@link #cancel} runs on the
 * engine thread, which owns its {@link State}.
 */
final class Request implements Generation {
    /**
     * Where a request is in its life, which only the engine thread changes. Each moves forward only, and every
     * request reaches {@link #ENDED} exactly once, with exactly one terminal event.
     */
    enum State {
        /** Accepted and in the engine's inbox; the engine has not seen it yet. */
        QUEUED,
        /** Known to the scheduler, waiting for its first admission (counts against the queue limit). */
        WAITING,
        /** Admitted at least once: computing, decoding, or preempted and waiting to be recomputed. */
        RUNNING,
        /** Done, cancelled or failed; its terminal event is sent and it holds nothing. */
        ENDED
    }

    private final String id;
    final int[] prompt;
    /** The most tokens, prompt included, the sequence may reach: the context, or prompt + max tokens. */
    final int maxLength;
    final long submittedMillis;
    private final GenerationListener listener;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopStrings stop;
    /** Splits the answer from the model's reasoning; null when the model writes none apart. */
    private final ReasoningParser reasoning;
    private final boolean logprobs;
    private final int topLogprobs;
    /** Hands a cancellation to the engine thread. */
    private final Consumer<Request> cancellations;
    /** Per prompt position, the score of its token (null unless asked); entries before {@code firstScored} unused. */
    private final TokenLogprob[] promptScores;
    private final int firstScored;
    private final int promptTopLogprobs;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    // engine thread only
    State state = State.QUEUED;
    Sequence sequence;
    int cachedTokens;
    private int generated;
    private int lastToken = -1;

    /**
     * @param firstScored with prompt scoring, the first prompt position reported (1 to leave out a start token the
     *                    service added); -1 for none
     */
    Request(String id, int[] prompt, int maxLength, SamplingParams sampling, List<String> stop, boolean logprobs,
            int topLogprobs, int firstScored, Tokenizer tokenizer, int vocab, ReasoningParser reasoning,
            GenerationListener listener, Consumer<Request> cancellations, long submittedMillis) {
        this.id = id;
        this.firstScored = firstScored;
        this.promptScores = firstScored >= 0 ? new TokenLogprob[prompt.length] : null;
        this.promptTopLogprobs = topLogprobs;
        this.prompt = prompt;
        this.maxLength = maxLength;
        this.sampler = new Sampler(sampling);
        this.stop = new StopStrings(stop);
        this.logprobs = logprobs;
        this.topLogprobs = logprobs ? topLogprobs : 0;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.decoder = new StreamingDecoder(tokenizer);
        this.reasoning = reasoning;
        this.listener = listener;
        this.cancellations = cancellations;
        this.submittedMillis = submittedMillis;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) cancellations.accept(this);
    }

    /** Whether {@link #cancel} was called, from any thread. */
    boolean cancelRequested() {
        return cancelled.get();
    }

    /** Whether the logits after each prompt position are wanted ({@link #scorePrompt}). */
    boolean scoresPrompt() {
        return promptScores != null;
    }

    /** Scores the prompt token after {@code position} from the logits there. */
    void scorePrompt(int position, float[] logits, int offset) {
        promptScores[position + 1] = Logprobs.of(logits, offset, vocab, prompt[position + 1], promptTopLogprobs,
                tokenizer);
    }

    /** The token sampled by the last {@link #advance} (the one to append when it did not end the generation). */
    int lastToken() {
        return lastToken;
    }

    /**
     * Samples the next token from the logits of the sequence's last token and sends its event. Returns how the
     * generation ended, or null when it goes on with {@link #lastToken()}.
     */
    FinishReason advance(float[] logits) {
        if (generated == 0 && promptScores != null) sendPromptScores();
        int token = sampler.sample(logits, 0, vocab);
        lastToken = token;
        TokenLogprob logprob = logprobs ? Logprobs.of(logits, vocab, token, topLogprobs, tokenizer) : null;
        generated++;
        if (tokenizer.isEndOfGeneration(token)) {
            String text = stop.add(decoder.flush());
            emit(stop.stopped() ? text : text + stop.flush(), logprob, true);
            return FinishReason.STOP;
        }
        sampler.accept(token);
        boolean last = sequence.length() + 1 >= maxLength;
        String text = decoder.next(token);
        if (last) text += decoder.flush();
        text = stop.add(text);
        if (stop.stopped()) {
            emit(text, logprob, true);
            return FinishReason.STOP;
        }
        if (last) {
            emit(text + stop.flush(), logprob, true);
            return FinishReason.LENGTH;
        }
        emit(text, logprob, false);
        return null;
    }

    /**
     * Sends a token's text: as it is, or split by the reasoning parser into answer and reasoning ({@code end}: the
     * last text, after which the parser gives what it held back). Format markup is dropped, and so are tool-call
     * messages a model writes unasked (tools are not served yet).
     */
    private void emit(String text, TokenLogprob logprob, boolean end) {
        if (reasoning == null) {
            listener.onToken(new TokenEvent(text, logprob));
            return;
        }
        List<ReasoningEvent> events = new ArrayList<>(reasoning.feed(text));
        if (end) events.addAll(reasoning.finish());
        ParsedOutput parsed = ParsedOutput.of(events);
        listener.onToken(new TokenEvent(parsed.content(), parsed.reasoning(), logprob));
    }

    private void sendPromptScores() {
        if (firstScored == 0) promptScores[0] = Logprobs.unscored(prompt[0], tokenizer);
        int from = Math.min(firstScored, prompt.length);
        TokenLogprob[] scores = Arrays.copyOfRange(promptScores, from, prompt.length);
        if (scores.length > 0) scores[0] = Logprobs.asFirst(scores[0], prompt[from], tokenizer);
        listener.onPromptLogprobs(List.of(scores));
    }

    void complete(FinishReason reason) {
        listener.onComplete(new Completion(reason, new Usage(prompt.length, generated, cachedTokens)));
    }

    void fail(InferenceException error) {
        listener.onError(error);
    }

    @Override
    public String toString() {
        return "Request[" + id + "]";
    }
}
