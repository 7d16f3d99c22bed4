package dev.junction.router.health;

/**
 * A {@link RetryBudget} at one moment: the requests and retries counted in its window, and how many retries the
 * window allows in all ({@code max(minRetries, ratio × requests)}).
 */
public record RetryBudgetSnapshot(long requests, long retries, long allowed) {
}
