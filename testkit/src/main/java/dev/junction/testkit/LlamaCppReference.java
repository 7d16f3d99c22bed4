package dev.junction.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code <model>.P0.ref.txt} of testdata/models/arch2 (and files of the same format): llama.cpp's greedy run of a
 * prompt with the top-5 logits of every step. The format, as its header states: {@code #} comment lines, then per
 * section a line {@code === [LABEL] PROMPT n ===}, {@code PROMPT: "..."}, {@code KV_CACHE: ...},
 * {@code PROMPT_IDS (add_bos=true): 1 403 ...}, {@code PROMPT_PIECES: ...}, one line per step
 * {@code STEP s TOP5: id[piece]=logit x5  MARGIN=m} (best first, MARGIN = top1 - top2), {@code GEN_IDS (n): ...},
 * {@code CONTINUATION_ESCAPED: "..."} and {@code MARGIN_MIN=.. MARGIN_MEDIAN=..}. Pieces are escaped ({@code \xNN},
 * backslash and quote backslash-escaped) and may contain {@code ]}, so an entry ends at the {@code ]=} before its logit.
 *
 * @param sections the sections in file order (the public excerpts hold one)
 */
public record LlamaCppReference(List<Section> sections) {

    /** One prompt's run: {@code label} as in {@code [DEQUANT-F32, KV F32]}, without the brackets. */
    public record Section(String label, int promptIndex, String prompt, String kvCache, int[] promptIds, List<Step> steps,
                          int[] generatedIds, String continuationEscaped) {}

    /** One generation step: the five largest raw logits, best first, with their ids and (escaped) pieces. */
    public record Step(int[] ids, String[] pieces, float[] logits, float margin) {}

    private static final Pattern SECTION = Pattern.compile("=== \\[(.*)] PROMPT (\\d+) ===");
    private static final Pattern ENTRY = Pattern.compile("(\\d+)\\[(.*?)]=(-?[0-9.]+(?:[eE][-+]?\\d+)?)(?= |$)");
    private static final Pattern MARGIN = Pattern.compile("MARGIN=(-?[0-9.]+)\\s*$");

    /** The reference next to a model: {@code X.gguf} → {@code X.P0.ref.txt} in the same folder. */
    public static LlamaCppReference forModel(Path gguf) {
        String name = gguf.getFileName().toString().replaceFirst("\\.gguf$", "");
        return parse(gguf.resolveSibling(name + ".P0.ref.txt"));
    }

    public static LlamaCppReference parse(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LlamaCppReference parse(List<String> lines) {
        List<Section> sections = new ArrayList<>();
        SectionBuilder current = null;
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) continue;
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                if (current != null) sections.add(current.build());
                current = new SectionBuilder(s.group(1), Integer.parseInt(s.group(2)));
                continue;
            }
            if (current == null) throw new IllegalArgumentException("line outside a section: " + line);
            if (line.startsWith("PROMPT: ")) {
                current.prompt = unquote(line.substring(8));
            } else if (line.startsWith("KV_CACHE: ")) {
                current.kvCache = line.substring(10).trim();
            } else if (line.startsWith("PROMPT_IDS")) {
                current.promptIds = ids(line);
            } else if (line.startsWith("GEN_IDS")) {
                current.generatedIds = ids(line);
            } else if (line.startsWith("CONTINUATION_ESCAPED: ")) {
                current.continuation = unquote(line.substring(22));
            } else if (line.startsWith("STEP ")) {
                current.steps.add(step(line));
            }
        }
        if (current != null) sections.add(current.build());
        return new LlamaCppReference(List.copyOf(sections));
    }

    /** The only section; fails where there are several. */
    public Section only() {
        if (sections.size() != 1) throw new IllegalStateException(sections.size() + " sections");
        return sections.getFirst();
    }

    private static Step step(String line) {
        String body = line.substring(line.indexOf(':') + 1);
        Matcher margin = MARGIN.matcher(body);
        if (!margin.find()) throw new IllegalArgumentException("no MARGIN in " + line);
        Matcher m = ENTRY.matcher(body.substring(0, margin.start()));
        int[] ids = new int[5];
        String[] pieces = new String[5];
        float[] logits = new float[5];
        int n = 0;
        while (n < 5 && m.find()) {
            ids[n] = Integer.parseInt(m.group(1));
            pieces[n] = m.group(2);
            logits[n++] = Float.parseFloat(m.group(3));
        }
        if (n != 5) throw new IllegalArgumentException("expected 5 entries in " + line);
        return new Step(ids, pieces, logits, Float.parseFloat(margin.group(1)));
    }

    private static int[] ids(String line) {
        String rest = line.substring(line.indexOf(':') + 1).trim();
        return rest.isEmpty() ? new int[0] : Arrays.stream(rest.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    private static String unquote(String s) {
        s = s.trim();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static final class SectionBuilder {
        final String label;
        final int promptIndex;
        String prompt, kvCache, continuation;
        int[] promptIds, generatedIds;
        final List<Step> steps = new ArrayList<>();

        SectionBuilder(String label, int promptIndex) {
            this.label = label;
            this.promptIndex = promptIndex;
        }

        Section build() {
            if (promptIds == null) throw new IllegalArgumentException("section " + label + " has no PROMPT_IDS");
            int[] generated = generatedIds != null ? generatedIds : steps.stream().mapToInt(s -> s.ids()[0]).toArray();
            return new Section(label, promptIndex, prompt, kvCache, promptIds, List.copyOf(steps), generated, continuation);
        }
    }
}
