package dev.junction.engine.runtime;

import dev.junction.inference.Completion;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.InferenceException;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A listener that records a generation's events, for tests. */
class Collector implements GenerationListener {
    final List<TokenEvent> tokens = new CopyOnWriteArrayList<>();
    volatile List<TokenLogprob> promptLogprobs;
    final CompletableFuture<Completion> done = new CompletableFuture<>();
    volatile int ends;
    /** Set by listeners that hold the engine on their first token. */
    java.util.concurrent.CountDownLatch firstTokenArrived;

    @Override
    public void onPromptLogprobs(List<TokenLogprob> logprobs) {
        if (promptLogprobs != null || !tokens.isEmpty() || done.isDone()) {
            throw new AssertionError("prompt log-probabilities twice, or after a token");
        }
        promptLogprobs = logprobs;
    }

    @Override
    public void onToken(TokenEvent token) {
        if (done.isDone()) throw new AssertionError("token after the end");
        tokens.add(token);
    }

    @Override
    public void onComplete(Completion completion) {
        ends++;
        done.complete(completion);
    }

    @Override
    public void onError(InferenceException error) {
        ends++;
        done.completeExceptionally(error);
    }

    /** Waits for the end; the completion, or the error thrown. */
    Completion await() {
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("generation did not end", e);
        }
    }

    /** Waits for the end, which must be an error, and returns it. */
    InferenceException awaitError() {
        try {
            Completion c = await();
            throw new AssertionError("completed instead of failing: " + c);
        } catch (InferenceException e) {
            return e;
        }
    }

    /** Waits for a normal end and returns the text. */
    String awaitText() {
        await();
        return text();
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (TokenEvent t : tokens) sb.append(t.text());
        return sb.toString();
    }

    /** The reasoning text of all token events. */
    String reasoning() {
        StringBuilder sb = new StringBuilder();
        for (TokenEvent t : tokens) sb.append(t.reasoning());
        return sb.toString();
    }
}
