package dev.junction.engine.chat.reasoning;

import java.util.ArrayList;
import java.util.List;

/**
 * An incremental parser of generated text: {@link #feed} each piece as it arrives (a token's text, a few characters,
 * anything), then {@link #finish} once. A parser holds back only text that could still become part of a marker (at
 * most one marker's length, and never splits a surrogate pair), so reasoning and content stream as they are
 * generated. How the text is cut into pieces never changes the result: the events, with adjacent events of the same
 * kind joined, are the same. Not thread-safe; one parser per generated response.
 */
public sealed interface ReasoningParser permits HarmonyParser, ThinkParser {

    /**
     * Takes the next piece of generated text and returns the events it decided (possibly none).
     *
     * @throws IllegalStateException after {@link #finish}
     */
    List<ReasoningEvent> feed(String piece);

    /**
     * Ends the text: everything still held back is decided and returned. Further calls return nothing.
     */
    List<ReasoningEvent> finish();

    /** Parses a whole text at once: {@link #feed} then {@link #finish}. */
    default List<ReasoningEvent> parse(String text) {
        List<ReasoningEvent> events = new ArrayList<>(feed(text));
        events.addAll(finish());
        return events;
    }
}
