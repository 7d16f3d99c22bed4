package dev.junction.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Mangles a small valid file thousands of ways: each result must open (and then read completely) or be refused with
 * a {@link ModelFormatException}. Anything else — another exception, an {@code Error}, a hang — is a reader bug.
 */
class GgufFuzzTest {
    /** {@code -Djunction.fuzz.mutations=100000 -Djunction.fuzz.seed=7} for a longer hunt. */
    private static final int MUTATIONS = Integer.getInteger("junction.fuzz.mutations", 3000);
    private static final long SEED = Long.getLong("junction.fuzz.seed", 20250101);
    private static final long[] HUGE = {-1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 1L << 40, 1L << 62,
            0xFFFF_FFFFL, Integer.MAX_VALUE, 0x8000_0000L};

    @TempDir
    Path dir;

    @Test
    void everyMutationOpensOrFailsCleanly() throws IOException {
        Path valid = GgufTestFiles.write(dir.resolve("valid.gguf"), GgufTestFiles.small());
        byte[] original = Files.readAllBytes(valid);
        int header;
        try (GgufFile f = GgufFile.open(valid)) {
            header = (int) f.dataOffset();
        }
        List<String> failures = new ArrayList<>();
        int[] outcomes = new int[2];

        assertTimeoutPreemptively(Duration.ofSeconds(30 + MUTATIONS / 200), () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < MUTATIONS && failures.size() < 10; i++) {
                StringBuilder how = new StringBuilder("mutation " + i + ":");
                byte[] b = original;
                int steps = 1 + random.nextInt(3);
                for (int s = 0; s < steps; s++) b = mutate(b, random, header, how);
                // a fresh name each time: rewriting one file in place makes ext4 flush it to disk on every close
                Path mutant = Files.write(dir.resolve("mutant-" + i + ".gguf"), b);
                try (GgufFile f = GgufFile.open(mutant)) {
                    readEverything(f, b);
                    outcomes[0]++;
                } catch (ModelFormatException e) {
                    if (!e.getMessage().startsWith(mutant + ": ")) failures.add(how + " unnamed file: " + e.getMessage());
                    outcomes[1]++;
                } catch (Throwable t) { // OutOfMemoryError and StackOverflowError included
                    failures.add(how + " " + t);
                }
                Files.delete(mutant);
            }
        });
        assertThat(failures).isEmpty();
        // the mutations reach both outcomes, so neither side goes untested
        assertThat(outcomes[0]).isGreaterThan(MUTATIONS / 20);
        assertThat(outcomes[1]).isGreaterThan(MUTATIONS / 2);
    }

    /** One random change; {@code header} bytes at the start are where the interesting structure is. */
    private static byte[] mutate(byte[] b, Random r, int header, StringBuilder how) {
        int limit = b.length == 0 ? 1 : r.nextInt(5) == 0 ? b.length : Math.min(header, b.length);
        int at = r.nextInt(limit);
        switch (r.nextInt(6)) {
            case 0 -> {
                b = b.clone();
                int n = 1 + r.nextInt(4);
                for (int k = 0; k < n && b.length > 0; k++) b[Math.min(at + k, b.length - 1)] ^= (byte) (1 + r.nextInt(255));
                how.append(" flip ").append(n).append(" at ").append(at);
            }
            case 1 -> {
                how.append(" truncate at ").append(at);
                b = Arrays.copyOf(b, at);
            }
            case 2, 3 -> {
                long v = r.nextBoolean() ? HUGE[r.nextInt(HUGE.length)] : r.nextLong();
                int pos = r.nextBoolean() ? at & ~7 : at;
                if (pos + 8 <= b.length) {
                    b = b.clone();
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(pos, v);
                    how.append(" u64 ").append(Long.toUnsignedString(v)).append(" at ").append(pos);
                }
            }
            case 4 -> {
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                int pos = Math.min(at, b.length);
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(extra, 0, out, pos, extra.length);
                System.arraycopy(b, pos, out, pos + extra.length, b.length - pos);
                how.append(" insert ").append(extra.length).append(" at ").append(pos);
                b = out;
            }
            default -> {
                int pos = Math.min(at, b.length);
                int n = Math.min(1 + r.nextInt(16), b.length - pos);
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(b, pos + n, out, pos, b.length - pos - n);
                how.append(" delete ").append(n).append(" at ").append(pos);
                b = out;
            }
        }
        return b;
    }

    /**
     * What a loader would do, checked against the mutant's own bytes: each tensor's data is exactly the file's bytes
     * at the data section plus the tensor's offset; each metadata value holds the Java type its GGUF type promises,
     * integers within their type's range; {@code getLong} reads back each integer or boolean and refuses anything
     * else with a {@link ModelFormatException}.
     */
    private static void readEverything(GgufFile f, byte[] file) {
        for (TensorInfo t : f.tensors().values()) {
            long from = f.dataOffset() + t.offset();
            assertThat(from + t.byteSize()).as("end of %s", t).isLessThanOrEqualTo(file.length);
            byte[] expected = Arrays.copyOfRange(file, (int) from, (int) (from + t.byteSize()));
            assertThat(f.data(t).toArray(ValueLayout.JAVA_BYTE)).as("data of %s", t).isEqualTo(expected);
        }
        GgufMetadata m = f.metadata();
        for (var e : m.asMap().entrySet()) {
            MetadataValue v = e.getValue();
            assertWellTyped(e.getKey(), v);
            switch (v.value()) {
                case Long l -> assertThat(m.getLong(e.getKey())).contains(l);
                case Boolean b -> assertThat(m.getLong(e.getKey())).contains(b ? 1L : 0L);
                default -> assertThatThrownBy(() -> m.getLong(e.getKey())).isInstanceOf(ModelFormatException.class);
            }
        }
    }

    private static void assertWellTyped(String key, MetadataValue v) {
        Class<?> expected = switch (v.type()) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> switch (v.elementType()) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> long[].class;
                case FLOAT32 -> float[].class;
                case FLOAT64 -> double[].class;
                case BOOL -> boolean[].class;
                case STRING -> String[].class;
                case ARRAY -> MetadataValue[].class;
            };
        };
        assertThat(v.value()).as("%s (%s)", key, v.type()).isInstanceOf(expected);
        switch (v.value()) {
            case Long l -> assertInRange(key, v.type(), l);
            case long[] a -> { for (long l : a) assertInRange(key, v.elementType(), l); }
            case MetadataValue[] nested -> {
                for (MetadataValue x : nested) {
                    assertThat(x.type()).as("%s element", key).isEqualTo(MetadataType.ARRAY);
                    assertWellTyped(key, x);
                }
            }
            default -> { }
        }
    }

    /** Unsigned types read zero-extended, signed ones sign-extended; a {@code UINT64} or {@code INT64} is any long. */
    private static void assertInRange(String key, MetadataType type, long value) {
        long[] range = switch (type) {
            case UINT8 -> new long[] {0, 0xFF};
            case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
            case UINT16 -> new long[] {0, 0xFFFF};
            case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
            case UINT32 -> new long[] {0, 0xFFFF_FFFFL};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        };
        assertThat(value).as("%s (%s)", key, type).isBetween(range[0], range[1]);
    }
}
