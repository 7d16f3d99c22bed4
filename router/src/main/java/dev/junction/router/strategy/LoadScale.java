package dev.junction.router.strategy;

import java.util.List;

/**
 * How busy a candidate is, comparable across one call's candidates: requests in flight over its
 * {@code max_concurrent}. A deployment without a limit counts as if its limit were the largest among the candidates,
 * or {@link #UNLIMITED_REFERENCE} when none has one; so unlimited deployments compare with each other by their raw
 * in-flight counts, and with limited ones as if they were as roomy as the roomiest. An unlimited deployment busier than
 * that reference has a load above 1.
 *
 * @param reference the capacity an unlimited candidate is taken to have
 */
record LoadScale(int reference) {
    /** The capacity taken for unlimited deployments when no candidate has a limit. */
    static final int UNLIMITED_REFERENCE = 32;

    static LoadScale of(List<Candidate> candidates) {
        int largest = 0;
        for (Candidate c : candidates) largest = Math.max(largest, c.maxConcurrent().orElse(0));
        return new LoadScale(largest > 0 ? largest : UNLIMITED_REFERENCE);
    }

    /** 0 when idle, 1 at its limit. */
    double load(Candidate c) {
        return (double) c.inFlight() / c.maxConcurrent().orElse(reference);
    }
}
