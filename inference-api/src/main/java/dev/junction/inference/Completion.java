package dev.junction.inference;

/** How a generation ended, and what it cost. */
public record Completion(FinishReason finishReason, Usage usage) {
}
