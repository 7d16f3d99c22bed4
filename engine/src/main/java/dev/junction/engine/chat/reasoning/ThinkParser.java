package dev.junction.engine.chat.reasoning;

import java.util.ArrayList;
import java.util.List;

/**
 * Reasoning in {@code <think>…</think>} blocks (Qwen3, QwQ, DeepSeek-R1 and their distillations): the text inside a
 * block is reasoning, everything else is content. The parser reads text with the tags as literal strings (as the
 * tokenizer renders these tokens).
 *
 * <p>The rules, applied to any input: outside a block, {@code <think>} opens one; inside, {@code </think>} closes
 * it; both tags are {@link ReasoningEvent.Markup}. Blocks do not nest: a {@code <think>} inside a block is reasoning
 * text, a {@code </think>} outside one is content text. A block still open when the text ends stays reasoning.
 * Whitespace around the tags is kept where it is (Qwen3's {@code "\n\n"} after {@code </think>} is content); callers
 * trim if they wish. When the chat template has already opened the block at the end of the prompt (DeepSeek-R1,
 * Qwen3 thinking templates that end in {@code <think>\n}), construct the parser with {@code startsInThink}.
 */
public final class ThinkParser implements ReasoningParser {
    public static final String OPEN = "<think>";
    public static final String CLOSE = "</think>";
    private static final List<String> OUTSIDE = List.of(OPEN);
    private static final List<String> INSIDE = List.of(CLOSE);

    private final MarkerScanner scanner = new MarkerScanner();
    private boolean inside;
    private boolean finished;

    /**
     * @param startsInThink whether the generated text starts inside a think block (the template opened it)
     */
    public ThinkParser(boolean startsInThink) {
        this.inside = startsInThink;
    }

    @Override
    public List<ReasoningEvent> feed(String piece) {
        if (finished) throw new IllegalStateException("feed after finish");
        scanner.append(piece);
        List<ReasoningEvent> out = new ArrayList<>();
        MarkerScanner.Piece p;
        while ((p = scanner.next(inside ? INSIDE : OUTSIDE)) != null) {
            if (p.marker()) {
                out.add(new ReasoningEvent.Markup(p.text()));
                inside = !inside;
            } else {
                out.add(text(p.text()));
            }
        }
        return out;
    }

    @Override
    public List<ReasoningEvent> finish() {
        if (finished) return List.of();
        finished = true;
        String rest = scanner.drain();
        return rest.isEmpty() ? List.of() : List.of(text(rest));
    }

    /** Whether the text so far ends inside a think block. */
    public boolean insideThink() {
        return inside;
    }

    private ReasoningEvent text(String text) {
        return inside ? new ReasoningEvent.Reasoning(text) : new ReasoningEvent.Content(text);
    }
}
