package dev.junction.engine.runtime;

import dev.junction.engine.chat.ChatMessage;
import dev.junction.engine.chat.ChatTemplate;
import dev.junction.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A conversation rendered with the model's chat template and tokenized so that control tokens ({@code <|im_start|>},
 * {@code <|eot_id|>}, harmony's {@code <|start|>} and {@code <|end|>}…) come only from the template: where a message's
 * own text spells one, that text stays text, so a message cannot close its turn and forge a system or assistant one
 * (as OpenAI's harmony renderer treats message text). Prompts whose messages spell no control token are rendered and
 * tokenized exactly as before.
 *
 * <p>How: each control token's text in a message is replaced by a placeholder (a private-use character no message
 * contains, the occurrence's number, the character again) before rendering; afterwards the placeholders are put back
 * and their spans handed to the tokenizer as literal text. A template that transforms a message's text (trimming,
 * splitting on its own markers) sees the placeholders where those tokens were.
 *
 * @param text the rendered prompt, as the template wrote it with the messages' own text
 * @param ids  its tokens
 */
record ChatPrompt(String text, int[] ids) {
    /** Renders conversations with one chat template for one tokenizer, whose control texts it indexes once. */
    static final class Renderer {
        private final ChatTemplate template;
        private final Tokenizer tokenizer;
        private final Map<Character, List<String>> controls;

        Renderer(ChatTemplate template, Tokenizer tokenizer) {
            this.template = template;
            this.tokenizer = tokenizer;
            this.controls = byFirstChar(tokenizer.controlTexts());
        }

        /** Renders and tokenizes; the template's exceptions pass through. */
        ChatPrompt render(List<ChatMessage> messages, Map<String, ?> arguments) {
            if (messages.stream().noneMatch(m -> spellsAny(m.content(), controls))) {
                String text = template.render(messages, true, arguments);
                // the template writes the special tokens it wants, BOS included
                return new ChatPrompt(text, tokenizer.encode(text, false, true));
            }
            char mark = unusedMark(messages);
            List<String> originals = new ArrayList<>();
            List<ChatMessage> escaped = messages.stream()
                    .map(m -> new ChatMessage(m.role(), escape(m.content(), controls, mark, originals))).toList();
            String rendered = template.render(escaped, true, arguments);
            StringBuilder text = new StringBuilder(rendered.length());
            List<Tokenizer.Span> literals = new ArrayList<>();
            for (int i = 0; i < rendered.length(); i++) {
                char c = rendered.charAt(i);
                int close = c == mark ? rendered.indexOf(mark, i + 1) : -1;
                if (close > i + 1 && digits(rendered, i + 1, close)) {
                    int n = Integer.parseInt(rendered, i + 1, close, 10);
                    if (n < originals.size()) {
                        literals.add(new Tokenizer.Span(text.length(), text.length() + originals.get(n).length()));
                        text.append(originals.get(n));
                        i = close;
                        continue;
                    }
                }
                text.append(c);
            }
            String prompt = text.toString();
            return new ChatPrompt(prompt, tokenizer.encode(prompt, false, literals));
        }
    }

    /** The control texts by their first character, each list longest first as given. */
    private static Map<Character, List<String>> byFirstChar(List<String> controls) {
        Map<Character, List<String>> by = new HashMap<>();
        for (String c : controls) by.computeIfAbsent(c.charAt(0), k -> new ArrayList<>()).add(c);
        return by;
    }

    /** The control text starting at {@code i} of {@code content} (the longest), or null. */
    private static String controlAt(String content, int i, Map<Character, List<String>> controls) {
        List<String> candidates = controls.get(content.charAt(i));
        if (candidates == null) return null;
        for (String c : candidates) if (content.startsWith(c, i)) return c;
        return null;
    }

    private static boolean spellsAny(String content, Map<Character, List<String>> controls) {
        for (int i = 0; i < content.length(); i++) if (controlAt(content, i, controls) != null) return true;
        return false;
    }

    /** {@code content} with each control token's text replaced by a numbered placeholder, its text kept in order. */
    private static String escape(String content, Map<Character, List<String>> controls, char mark,
                                 List<String> originals) {
        StringBuilder out = new StringBuilder(content.length());
        for (int i = 0; i < content.length(); ) {
            String found = controlAt(content, i, controls);
            if (found == null) {
                out.append(content.charAt(i++));
                continue;
            }
            out.append(mark).append(originals.size()).append(mark);
            originals.add(found);
            i += found.length();
        }
        return out.toString();
    }

    /** A private-use character that no message contains. */
    private static char unusedMark(List<ChatMessage> messages) {
        for (char c = '\uF8FF'; c >= '\uE000'; c--) {
            char mark = c;
            if (messages.stream().noneMatch(m -> m.content().indexOf(mark) >= 0)) return mark;
        }
        throw new IllegalArgumentException("the messages use every private-use character");
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}
