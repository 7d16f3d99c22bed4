package dev.junction.engine.chat.reasoning;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Feeds parsers text cut in different ways and checks that the cuts do not matter and no text is lost. */
final class Feeding {
    private Feeding() {}

    /** Events of {@code text} fed in the pieces that {@code cuts} (ascending offsets) make, then finished. */
    static List<ReasoningEvent> feed(ReasoningParser parser, String text, int... cuts) {
        List<ReasoningEvent> events = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            events.addAll(parser.feed(text.substring(from, cut)));
            from = cut;
        }
        events.addAll(parser.feed(text.substring(from)));
        events.addAll(parser.finish());
        return events;
    }

    /** Adjacent reasoning, content and markup events of the same kind joined into one; tool calls kept. */
    static List<ReasoningEvent> coalesce(List<ReasoningEvent> events) {
        List<ReasoningEvent> out = new ArrayList<>();
        for (ReasoningEvent e : events) {
            ReasoningEvent last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.getClass() == e.getClass() && !(e instanceof ReasoningEvent.ToolCall)) {
                out.set(out.size() - 1, join(last, e));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private static ReasoningEvent join(ReasoningEvent a, ReasoningEvent b) {
        String t = a.text() + b.text();
        return switch (a) {
            case ReasoningEvent.Reasoning r -> new ReasoningEvent.Reasoning(t);
            case ReasoningEvent.Content c -> new ReasoningEvent.Content(t);
            case ReasoningEvent.Markup m -> new ReasoningEvent.Markup(t);
            case ReasoningEvent.ToolCall tc -> throw new AssertionError("tool calls are not joined");
        };
    }

    static String concat(List<ReasoningEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (ReasoningEvent e : events) sb.append(e.text());
        return sb.toString();
    }

    /**
     * Parses {@code text} whole, then cut once at every offset, then one char at a time: the joined events are the
     * same every time, and their texts always concatenate to {@code text}. Returns the whole-text result.
     */
    static ParsedOutput checkEveryCut(Supplier<ReasoningParser> parsers, String text) {
        List<ReasoningEvent> whole = feed(parsers.get(), text);
        assertThat(concat(whole)).as("text conserved").isEqualTo(text);
        List<ReasoningEvent> expected = coalesce(whole);
        for (int i = 0; i <= text.length(); i++) {
            List<ReasoningEvent> cut = feed(parsers.get(), text, i);
            assertThat(coalesce(cut)).as("cut at %d of %s", i, text).isEqualTo(expected);
        }
        int[] every = new int[Math.max(0, text.length() - 1)];
        for (int i = 0; i < every.length; i++) every[i] = i + 1;
        assertThat(coalesce(feed(parsers.get(), text, every))).as("one char at a time: %s", text).isEqualTo(expected);
        return ParsedOutput.of(whole);
    }

    /** As {@link #checkEveryCut}, but with {@code tries} random sets of cuts instead of every single cut. */
    static void checkRandomCuts(Supplier<ReasoningParser> parsers, String text, Random random, int tries) {
        List<ReasoningEvent> whole = feed(parsers.get(), text);
        assertThat(concat(whole)).as("text conserved: %s", text).isEqualTo(text);
        List<ReasoningEvent> expected = coalesce(whole);
        for (int t = 0; t < tries; t++) {
            int[] cuts = random.ints(random.nextInt(1 + text.length() / 2), 0, text.length() + 1).sorted().toArray();
            List<ReasoningEvent> got = feed(parsers.get(), text, cuts);
            assertThat(concat(got)).as("text conserved: %s", text).isEqualTo(text);
            assertThat(coalesce(got)).as("cuts %s of %s", java.util.Arrays.toString(cuts), text).isEqualTo(expected);
        }
        int[] every = new int[Math.max(0, text.length() - 1)];
        for (int i = 0; i < every.length; i++) every[i] = i + 1;
        assertThat(coalesce(feed(parsers.get(), text, every))).as("one char at a time: %s", text).isEqualTo(expected);
    }
}
