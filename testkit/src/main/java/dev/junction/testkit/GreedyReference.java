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
 * What llama.cpp printed for a greedy run of a model ({@code stories260K_greedy.txt}): the prompt, its token ids,
 * at every generated step the top-5 logits (the generated ids are each step's top-1), and the continuation text.
 */
public record GreedyReference(String prompt, int[] promptIds, List<Step> steps, String continuation) {

    /** One generation step: the five largest raw logits, best first. */
    public record Step(int[] ids, float[] logits) {}

    private static final Pattern ENTRY = Pattern.compile("(\\d+)\\[(.*?)\\]=(-?[0-9.]+)");

    public static GreedyReference stories260K() {
        return parse(TestModels.file("stories260K_greedy.txt"));
    }

    public static GreedyReference parse(Path file) {
        try {
            String prompt = null;
            int[] promptIds = null;
            String continuation = null;
            List<Step> steps = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("PROMPT: ")) {
                    prompt = line.substring(9, line.length() - 1);
                } else if (line.startsWith("CONTINUATION: ")) {
                    continuation = line.substring(15, line.length() - 1);
                } else if (line.startsWith("PROMPT_IDS")) {
                    promptIds = Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split(" "))
                            .mapToInt(Integer::parseInt).toArray();
                } else if (line.startsWith("STEP ")) {
                    Matcher m = ENTRY.matcher(line.substring(line.indexOf(':') + 1));
                    int[] ids = new int[5];
                    float[] logits = new float[5];
                    int n = 0;
                    while (m.find() && n < 5) {
                        ids[n] = Integer.parseInt(m.group(1));
                        logits[n++] = Float.parseFloat(m.group(3));
                    }
                    steps.add(new Step(ids, logits));
                }
            }
            return new GreedyReference(prompt, promptIds, List.copyOf(steps), continuation);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The greedy continuation: each step's best id. */
    public int[] generatedIds() {
        return steps.stream().mapToInt(s -> s.ids()[0]).toArray();
    }
}
