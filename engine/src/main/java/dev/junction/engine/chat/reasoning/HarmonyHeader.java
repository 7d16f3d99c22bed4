package dev.junction.engine.chat.reasoning;

/**
 * The header of a harmony message: what stands between {@code <|start|>} and {@code <|message|>}, e.g.
 * {@code assistant<|channel|>commentary to=functions.get_weather <|constrain|>json}. Each part is the word (up to a
 * space or {@code <}) after its keyword; a missing part is empty.
 *
 * @param raw         the header text as generated, markers included, {@code <|message|>} excluded
 * @param role        the word before {@code <|channel|>} (empty when generation starts after {@code <|start|>assistant})
 * @param channel     the word after {@code <|channel|>}
 * @param recipient   the word after the first {@code to=} that starts the header or follows a space or a marker, in
 *                    the role part or the channel part
 * @param contentType the word after {@code <|constrain|>}
 */
record HarmonyHeader(String raw, String role, String channel, String recipient, String contentType) {
    static final String CHANNEL = "<|channel|>";
    static final String CONSTRAIN = "<|constrain|>";

    static HarmonyHeader parse(String raw) {
        int ch = raw.indexOf(CHANNEL);
        String role = word(ch < 0 ? raw : raw.substring(0, ch), 0);
        String channel = ch < 0 ? "" : word(raw, ch + CHANNEL.length());
        int co = raw.indexOf(CONSTRAIN);
        String contentType = co < 0 ? "" : word(raw, co + CONSTRAIN.length());
        return new HarmonyHeader(raw, role, channel, recipient(raw), contentType);
    }

    /** Whether the message is addressed to a tool. */
    boolean toTool() {
        return !recipient.isEmpty();
    }

    private static String recipient(String raw) {
        for (int i = raw.indexOf("to="); i >= 0; i = raw.indexOf("to=", i + 1)) {
            if (i == 0 || raw.charAt(i - 1) == ' ' || raw.charAt(i - 1) == '>') return word(raw, i + 3);
        }
        return "";
    }

    /** The word starting at {@code from} after any spaces, ending before a space, a {@code <} or the end. */
    private static String word(String s, int from) {
        int start = from;
        while (start < s.length() && s.charAt(start) == ' ') start++;
        int end = start;
        while (end < s.length() && s.charAt(end) != ' ' && s.charAt(end) != '<') end++;
        return s.substring(start, end);
    }
}
