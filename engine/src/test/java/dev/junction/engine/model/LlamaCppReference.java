package dev.junction.engine.model;

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
 * A minimal reader of a {@code <file>.P0.ref.txt}: llama.cpp's greedy run, its prompt ids and per step the top-5
 * (id, logit) pairs, highest first. Only the first section is read.
 */
record LlamaCppReference(int[] promptIds, List<Step> steps) {
    record Step(int[] ids, float[] logits) {}

    private static final Pattern ENTRY = Pattern.compile("(\\d+)\\[.*?\\]=(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)");

    static LlamaCppReference read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] prompt = null;
        List<Step> steps = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("===") && prompt != null) break; // a second section
            if (line.startsWith("PROMPT_IDS")) {
                prompt = Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                        .mapToInt(Integer::parseInt).toArray();
            } else if (line.startsWith("STEP ")) {
                String top = line.substring(line.indexOf("TOP5:") + 5, line.lastIndexOf("MARGIN="));
                Matcher m = ENTRY.matcher(top);
                int[] ids = new int[5];
                float[] logits = new float[5];
                for (int k = 0; k < 5; k++) {
                    if (!m.find()) throw new IllegalArgumentException("fewer than 5 entries in: " + line);
                    ids[k] = Integer.parseInt(m.group(1));
                    logits[k] = Float.parseFloat(m.group(2));
                }
                steps.add(new Step(ids, logits));
            }
        }
        if (prompt == null || steps.isEmpty()) throw new IllegalArgumentException("no prompt or steps in " + file);
        return new LlamaCppReference(prompt, List.copyOf(steps));
    }

    /** The greedy id of every step (all but the last are what the run fed back). */
    int[] greedyIds() {
        return steps.stream().mapToInt(s -> s.ids()[0]).toArray();
    }
}
