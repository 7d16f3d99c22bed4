package dev.junction.engine.chat.reasoning;

import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's harmony output format (gpt-oss): a sequence of messages
 * {@code <|start|>role<|channel|>name[ to=recipient][ <|constrain|>type]<|message|>body terminator}, the terminator
 * being {@code <|end|>}, {@code <|return|>} (end of the answer) or {@code <|call|>} (a tool call). The parser reads
 * text with the special tokens rendered as their literal strings; generation normally starts right after the
 * prompt's {@code <|start|>assistant}, so the first header has no role. (The engine's tokenizer renders
 * {@code <|start|>}, {@code <|channel|>}, {@code <|constrain|>}, {@code <|message|>} and {@code <|end|>} even
 * without rendering control tokens, as llama.cpp does; {@code <|return|>} and {@code <|call|>} end generation and
 * usually never reach the parser, which is why text may end inside a message.)
 *
 * <p>What a message becomes, from its header: addressed to a recipient ({@code to=…}, in the role or the channel
 * part) it is one {@link ReasoningEvent.ToolCall}, given when the message ends; otherwise the {@code analysis}
 * channel is {@link ReasoningEvent.Reasoning}, and {@code final}, {@code commentary} (preambles), any other channel
 * and no channel are {@link ReasoningEvent.Content}. Headers, {@code <|start|>} and terminators are
 * {@link ReasoningEvent.Markup}. Reasoning and content stream; a header is held until its {@code <|message|>}.
 *
 * <p>Rules for anything else, so that no input throws and no text is lost:
 * <ul>
 *   <li>A header is given up, and its text so far becomes content, as soon as it is not a plausible header: a
 *       character other than a letter, digit, space or one of {@code _ - . =} outside its markers, more than
 *       {@value #MAX_HEADER} characters, a marker other than {@code <|channel|>}, {@code <|constrain|>} and
 *       {@code <|message|>} (that marker is then read as between messages), or the end of the text, except that a
 *       header cut off by the end of the text is markup when it began with {@code <|start|>} or has a
 *       {@code <|channel|>} (output stopped by a length limit). The parser is then between messages.</li>
 *   <li>Between messages, {@code <|start|>} opens a header and {@code <|channel|>} opens a header without a role;
 *       any other text, markers included, is content.</li>
 *   <li>Inside a body, {@code <|start|>} or {@code <|channel|>} ends the message as if {@code <|end|>} had come first
 *       and begins the next header; {@code <|message|>} and {@code <|constrain|>} are literal body text.</li>
 *   <li>Text that ends inside a body ends the message there (a tool call is then given with {@code complete}
 *       false).</li>
 * </ul>
 */
public final class HarmonyParser implements ReasoningParser {
    static final String START = "<|start|>";
    static final String END = "<|end|>";
    static final String RETURN = "<|return|>";
    static final String CALL = "<|call|>";
    static final String MESSAGE = "<|message|>";
    /** The longest plausible header, in chars. */
    static final int MAX_HEADER = 256;
    private static final List<String> MARKERS = List.of(START, END, RETURN, CALL, MESSAGE,
            HarmonyHeader.CHANNEL, HarmonyHeader.CONSTRAIN);

    private enum State { HEADER, BODY, BETWEEN }

    private enum Kind { REASONING, CONTENT, TOOL }

    private final MarkerScanner scanner = new MarkerScanner();
    private final StringBuilder header = new StringBuilder();
    private final StringBuilder toolBody = new StringBuilder();
    private State state;
    private Kind kind = Kind.CONTENT;
    private HarmonyHeader current;
    /** Whether the header being read began with {@code <|start|>} or has a {@code <|channel|>}. */
    private boolean headerMarked;
    private boolean finished;

    /** A parser for text generated after a prompt that ends in {@code <|start|>assistant}. */
    public HarmonyParser() {
        this(true);
    }

    /**
     * @param afterAssistantStart whether generation starts inside a header (the prompt ended with
     *                            {@code <|start|>assistant}); otherwise it starts between messages
     */
    public HarmonyParser(boolean afterAssistantStart) {
        this.state = afterAssistantStart ? State.HEADER : State.BETWEEN;
    }

    @Override
    public List<ReasoningEvent> feed(String piece) {
        if (finished) throw new IllegalStateException("feed after finish");
        scanner.append(piece);
        List<ReasoningEvent> out = new ArrayList<>();
        MarkerScanner.Piece p;
        while ((p = scanner.next(MARKERS)) != null) {
            if (p.marker()) {
                marker(p.text(), out);
            } else {
                text(p.text(), out);
            }
        }
        return out;
    }

    @Override
    public List<ReasoningEvent> finish() {
        if (finished) return List.of();
        finished = true;
        List<ReasoningEvent> out = new ArrayList<>();
        String rest = scanner.drain();
        if (!rest.isEmpty()) text(rest, out);
        switch (state) {
            case HEADER -> {
                if (headerMarked) {
                    if (!header.isEmpty()) out.add(new ReasoningEvent.Markup(header.toString()));
                    header.setLength(0);
                } else {
                    abandonHeader(out);
                }
            }
            case BODY -> endMessage(false, out);
            case BETWEEN -> { }
        }
        return out;
    }

    private void text(String text, List<ReasoningEvent> out) {
        switch (state) {
            case HEADER -> {
                header.append(text);
                if (!plausibleHeaderText(text) || header.length() > MAX_HEADER) abandonHeader(out);
            }
            case BODY -> {
                switch (kind) {
                    case REASONING -> out.add(new ReasoningEvent.Reasoning(text));
                    case CONTENT -> out.add(new ReasoningEvent.Content(text));
                    case TOOL -> toolBody.append(text);
                }
            }
            case BETWEEN -> out.add(new ReasoningEvent.Content(text));
        }
    }

    private void marker(String marker, List<ReasoningEvent> out) {
        switch (state) {
            case HEADER -> {
                if (marker.equals(MESSAGE)) {
                    beginBody(out);
                } else if (marker.equals(HarmonyHeader.CHANNEL) || marker.equals(HarmonyHeader.CONSTRAIN)) {
                    header.append(marker);
                    if (marker.equals(HarmonyHeader.CHANNEL)) headerMarked = true;
                    if (header.length() > MAX_HEADER) abandonHeader(out);
                } else {
                    abandonHeader(out);
                    between(marker, out);
                }
            }
            case BODY -> {
                switch (marker) {
                    case END, RETURN, CALL -> {
                        endMessage(true, out);
                        out.add(new ReasoningEvent.Markup(marker));
                    }
                    case START, HarmonyHeader.CHANNEL -> {
                        endMessage(true, out);
                        between(marker, out);
                    }
                    default -> text(marker, out);
                }
            }
            case BETWEEN -> between(marker, out);
        }
    }

    /** A marker read between messages. */
    private void between(String marker, List<ReasoningEvent> out) {
        if (marker.equals(START)) {
            out.add(new ReasoningEvent.Markup(marker));
            state = State.HEADER;
            headerMarked = true;
        } else if (marker.equals(HarmonyHeader.CHANNEL)) {
            header.append(marker);
            state = State.HEADER;
            headerMarked = true;
        } else {
            state = State.BETWEEN;
            out.add(new ReasoningEvent.Content(marker));
        }
    }

    private void beginBody(List<ReasoningEvent> out) {
        current = HarmonyHeader.parse(header.toString());
        header.setLength(0);
        headerMarked = false;
        out.add(new ReasoningEvent.Markup(current.raw() + MESSAGE));
        kind = current.toTool() ? Kind.TOOL : current.channel().equals("analysis") ? Kind.REASONING : Kind.CONTENT;
        state = State.BODY;
    }

    private void endMessage(boolean complete, List<ReasoningEvent> out) {
        if (kind == Kind.TOOL) {
            out.add(new ReasoningEvent.ToolCall(current.recipient(), current.channel(), current.contentType(),
                    current.raw(), toolBody.toString(), complete));
            toolBody.setLength(0);
        }
        current = null;
        kind = Kind.CONTENT;
        state = State.BETWEEN;
    }

    /** The header text so far is not a header: it becomes content. */
    private void abandonHeader(List<ReasoningEvent> out) {
        if (!header.isEmpty()) out.add(new ReasoningEvent.Content(header.toString()));
        header.setLength(0);
        headerMarked = false;
        state = State.BETWEEN;
    }

    private static boolean plausibleHeaderText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isLetterOrDigit(c) && "_-.= ".indexOf(c) < 0) return false;
        }
        return true;
    }
}
