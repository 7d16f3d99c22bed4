package dev.junction.engine.chat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a Hugging Face (Python Jinja2) template source into one Jinjava reads the same way.
 *
 * <p>Two differences matter for chat templates: Jinja2 decodes Python escapes such as {@code '\n'} inside string
 * literals while Jinjava's expression language keeps them as a backslash and a letter, and Jinja2 (with its default
 * {@code keep_trailing_newline=False}) drops one newline at the very end of the source. This class decodes every
 * string literal inside {@code {{ }}} and {@code {% %}} and re-encodes it with only the escapes Jinjava understands
 * ({@code \\}, {@code \'}, {@code \"}), leaving other characters (real newlines included) raw. Text outside
 * tags, comments and {@code {% raw %}} blocks is copied unchanged.
 *
 * <p>Inside tags it also rewrites three constructs Jinjava parses differently: {@code not x is defined} becomes
 * {@code not (x is defined)} (Jinja2 binds tests tighter than {@code not}), keyword argument values are
 * parenthesised ({@code namespace(i=n - 1)}), and the reversing slice {@code x[::-1]} becomes
 * {@code x|reverse|list}. Other step slices are not supported.
 */
final class JinjaSource {
    private static final Pattern RAW_START = Pattern.compile("\\{%-?\\s*raw\\s*-?%}");
    private static final Pattern RAW_END = Pattern.compile("\\{%-?\\s*endraw\\s*-?%}");

    private JinjaSource() {
    }

    static String normalize(String source) {
        String src = source;
        if (src.endsWith("\r\n")) {
            src = src.substring(0, src.length() - 2);
        } else if (src.endsWith("\n")) {
            src = src.substring(0, src.length() - 1);
        }
        StringBuilder out = new StringBuilder(src.length() + 16);
        int i = 0;
        int n = src.length();
        while (i < n) {
            if (src.startsWith("{#", i)) {
                int end = src.indexOf("#}", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(src, i, end);
                i = end;
            } else if (src.startsWith("{%", i) || src.startsWith("{{", i)) {
                Matcher raw = RAW_START.matcher(src).region(i, n);
                if (src.charAt(i + 1) == '%' && raw.lookingAt()) {
                    Matcher end = RAW_END.matcher(src).region(raw.end(), n);
                    int stop = end.find() ? end.end() : n;
                    out.append(src, i, stop);
                    i = stop;
                } else {
                    i = copyTag(src, i, src.charAt(i + 1) == '%' ? "%}" : "}}", out);
                }
            } else {
                out.append(src.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * Copies one tag starting at {@code start}, rewriting its string literals; returns the index after it. Keyword
     * argument values ({@code f(x=a - 1)}) are wrapped in parentheses because Jinjava binds {@code =} tighter than
     * the operators in the value, unlike Jinja2.
     */
    private static int copyTag(String src, int start, String close, StringBuilder result) {
        StringBuilder out = new StringBuilder();
        StringBuilder mask = new StringBuilder(); // out with string literal contents blanked
        out.append(src, start, start + 2);
        int i = start + 2;
        int n = src.length();
        Deque<Character> brackets = new ArrayDeque<>();
        Deque<Integer> keywordValues = new ArrayDeque<>(); // bracket depths with an open "(" after "name="
        while (i < n) {
            char c = src.charAt(i);
            if (c == '\'' || c == '"') {
                syncMask(out, mask);
                int from = out.length();
                i = copyLiteral(src, i, out);
                mask.append(c).append("_".repeat(out.length() - from - 2)).append(c);
            } else if (brackets.isEmpty() && src.startsWith(close, i)) {
                out.append(close);
                syncMask(out, mask);
                result.append(rewriteOperators(out, mask));
                return i + 2;
            } else if (c == '(' || c == '[' || c == '{') {
                brackets.push(c);
                out.append(c);
                i++;
            } else if (c == ')' || c == ']' || c == '}' || c == ',') {
                if (!keywordValues.isEmpty() && keywordValues.peek() == brackets.size()) {
                    keywordValues.pop();
                    out.append(')');
                }
                if (c != ',' && !brackets.isEmpty()) {
                    brackets.pop();
                }
                out.append(c);
                i++;
            } else if (isIdentifierStart(c) && !brackets.isEmpty() && brackets.peek() == '('
                    && lastNonSpace(out) instanceof Character p && (p == '(' || p == ',')) {
                int end = i;
                while (end < n && Character.isJavaIdentifierPart(src.charAt(end))) {
                    end++;
                }
                int eq = end;
                while (eq < n && src.charAt(eq) == ' ') {
                    eq++;
                }
                out.append(src, i, end);
                i = end;
                if (eq < n && src.charAt(eq) == '=' && (eq + 1 >= n || src.charAt(eq + 1) != '=')) {
                    out.append("=(");
                    keywordValues.push(brackets.size());
                    i = eq + 1;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        syncMask(out, mask);
        result.append(rewriteOperators(out, mask));
        return n;
    }

    private static void syncMask(StringBuilder out, StringBuilder mask) {
        mask.append(out, mask.length(), out.length());
    }

    /** {@code not x is defined} as Jinja2 reads it, {@code not (x is defined)}. */
    private static final Pattern NOT_IS = Pattern.compile(
            "\\bnot\\s+((?:[A-Za-z_]\\w*)(?:\\.\\w+|\\[[^\\]]*\\])*)\\s+is\\s+(?:not\\s+)?[A-Za-z_]\\w*\\b");
    /** The reversing slice {@code x[::-1]}, which Jinjava cannot parse. */
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-\\s*1\\s*\\]");

    /**
     * Rewrites what Jinjava parses differently from Jinja2, finding it in {@code mask} (the tag with string literal
     * contents blanked) so that text inside literals is never touched.
     */
    private static String rewriteOperators(StringBuilder tag, StringBuilder mask) {
        record Edit(int start, int end, String text) {
        }
        List<Edit> edits = new ArrayList<>();
        Matcher m = NOT_IS.matcher(mask);
        while (m.find()) {
            edits.add(new Edit(m.start(1), m.start(1), "("));
            edits.add(new Edit(m.end(), m.end(), ")"));
        }
        m = REVERSE_SLICE.matcher(mask);
        while (m.find()) {
            edits.add(new Edit(m.start(), m.end(), "|reverse|list"));
        }
        edits.sort((a, b) -> Integer.compare(b.start(), a.start()));
        StringBuilder b = new StringBuilder(tag);
        for (Edit e : edits) {
            b.replace(e.start(), e.end(), e.text());
        }
        return b.toString();
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static Character lastNonSpace(StringBuilder out) {
        for (int k = out.length() - 1; k >= 0; k--) {
            if (!Character.isWhitespace(out.charAt(k))) {
                return out.charAt(k);
            }
        }
        return null;
    }

    private static int copyLiteral(String src, int start, StringBuilder out) {
        char quote = src.charAt(start);
        StringBuilder value = new StringBuilder();
        int i = start + 1;
        int n = src.length();
        while (i < n && src.charAt(i) != quote) {
            char c = src.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                value.append(c);
                i++;
                continue;
            }
            char e = src.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case '0' -> value.append('\0');
                case 'a' -> value.append('\u0007');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'v' -> value.append('\u000B');
                case '\\', '\'', '"' -> value.append(e);
                case '\n' -> { } // line continuation
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + digits <= n && src.substring(i, i + digits).chars().allMatch(JinjaSource::isHex)) {
                        value.appendCodePoint(Integer.parseInt(src, i, i + digits, 16));
                        i += digits;
                    } else {
                        value.append('\\').append(e);
                    }
                }
                default -> value.append('\\').append(e); // Python keeps unknown escapes as written
            }
        }
        out.append(quote);
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c == '\\' || c == quote) {
                out.append('\\');
            }
            out.append(c);
        }
        out.append(quote);
        return Math.min(i + 1, n);
    }

    private static boolean isHex(int c) {
        return Character.digit(c, 16) >= 0;
    }
}
