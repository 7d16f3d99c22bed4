package dev.junction.engine.model;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.ModelFormatException;
import dev.junction.engine.kernel.Parallel;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Damaged copies of the default model, mutated where it matters (header, metadata, tensor infos), either load and
 * run a token or fail with a {@link ModelFormatException} — never another exception, a JVM error or a hang.
 */
class ModelFuzzTest {
    @TempDir
    Path dir;

    @Test
    void everyMutationLoadsAndRunsOrFailsCleanly() throws IOException {
        byte[] original = Files.readAllBytes(TestModels.stories260K());
        long headerEnd;
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            headerEnd = f.dataOffset();
        }
        Random random = new Random(Long.getLong("junction.fuzz.seed", 20261129L));
        int mutations = Integer.getInteger("junction.fuzz.model.mutations", 400);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Parallel parallel = new Parallel(1)) {
                for (int i = 0; i < mutations; i++) {
                    byte[] bytes = mutate(original, (int) headerEnd, random);
                    Path file = dir.resolve("m" + i + ".gguf");
                    Files.write(file, bytes);
                    try (Model model = Model.load(file, LoadProgress.NONE)) {
                        Transformer.Sequence s = model.transformer().newSequence(2);
                        model.transformer().forward(s, model.config().vocabSize() - 1, parallel);
                        outcomes[0]++;
                    } catch (ModelFormatException e) {
                        assertThat(e.getMessage()).startsWith(file.toString());
                        outcomes[1]++;
                    } catch (Throwable t) {
                        fail("mutation " + i + " gave " + t, t);
                    }
                    Files.delete(file);
                }
            }
        });
        assertThat(outcomes[0]).as("some mutations still load").isPositive();
        assertThat(outcomes[1]).as("some mutations are refused").isPositive();
    }

    private static byte[] mutate(byte[] original, int headerEnd, Random random) {
        byte[] b = original.clone();
        switch (random.nextInt(5)) {
            case 0 -> { // flip bytes in the header
                for (int k = 0, n = 1 + random.nextInt(4); k < n; k++) b[random.nextInt(headerEnd)] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> { // a huge or random 64-bit value somewhere in the header
                long v = random.nextBoolean() ? Long.MAX_VALUE - random.nextInt(1000) : random.nextLong();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(random.nextInt(headerEnd - 8), v);
            }
            case 2 -> { // a small 32-bit value: plausible counts, ids, types, dimensions
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(random.nextInt(headerEnd - 4), random.nextInt(70000) - 5);
            }
            case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length)); // truncation anywhere
            default -> { // a float in the header (epsilon, rope base, scores) becomes NaN or infinity
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(random.nextInt(headerEnd - 4),
                        random.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY);
            }
        }
        return b;
    }
}
