package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.cli.InProcessCli.Result;
import dev.junction.engine.tensor.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code junction bench} on a tiny synthesized model, in-process; bandwidth arrays kept small so it stays fast. */
class BenchCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    static Result junction(String... args) {
        return new InProcessCli(dir.resolve("home")).run(args);
    }

    @BeforeAll
    static void synthesizeATinyModel() {
        model = dir.resolve("tiny-q8_0.gguf");
        Result w = junction("gguf", "synth", "--hidden", "256", "--layers", "2", "--heads", "4", "--kv-heads", "2",
                "--ffn", "512", "--vocab", "400", "--type", "Q8_0", "-o", model.toString());
        assertThat(w.exitCode()).as(w.err()).isZero();
    }

    @Test
    void jsonLinesHaveLlamaBenchFieldsAndPositiveSpeeds() throws IOException {
        Result r = junction("bench", model.toString(), "-p", "16", "-n", "8", "-r", "2", "--batch", "2", "-t", "1",
                "--json", "--bandwidth-mib", "4");
        assertThat(r.exitCode()).as(r.err()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) lines.add(mapper.readTree(line));
        assertThat(lines).extracting(n -> n.get("test").asText()).containsExactly("pp16", "tg8", "tg8 x2");
        for (JsonNode n : lines) {
            assertThat(n.get("model_filename").asText()).endsWith("tiny-q8_0.gguf");
            assertThat(n.get("model_type").asText()).isEqualTo("Q8_0");
            assertThat(n.get("model_size").asLong()).isPositive();
            assertThat(n.get("model_n_params").asLong()).isGreaterThan(2L * 4 * 256 * 256);
            assertThat(n.get("n_threads").asInt()).isEqualTo(1);
            assertThat(n.get("avg_ns").asLong()).isPositive();
            assertThat(n.get("stddev_ns").asLong()).isNotNegative();
            assertThat(n.get("avg_ts").asDouble()).isPositive();
            assertThat(n.get("stddev_ts").asDouble()).isNotNegative();
            assertThat(n.get("samples_ns")).hasSize(2);
            assertThat(n.get("heap_bytes_per_token").asDouble()).isNotNegative();
            assertThat(n.get("samples_ts")).hasSize(2);
            for (JsonNode ts : n.get("samples_ts")) assertThat(ts.asDouble()).isPositive();
            assertThat(n.get("bandwidth_gbs").asDouble()).isPositive();
        }
        JsonNode pp = lines.get(0), tg = lines.get(1), tgb = lines.get(2);
        assertThat(pp.get("n_prompt").asInt()).isEqualTo(16);
        assertThat(pp.get("n_gen").asInt()).isZero();
        assertThat(pp.has("roofline_ts")).isFalse();
        assertThat(tg.get("n_prompt").asInt()).isZero();
        assertThat(tg.get("n_gen").asInt()).isEqualTo(8);
        assertThat(tgb.get("n_seq").asInt()).isEqualTo(2);
        assertThat(tgb.get("n_batch").asInt()).isEqualTo(2);
        for (JsonNode n : List.of(tg, tgb)) {
            assertThat(n.get("roofline_ts").asDouble()).isPositive();
            assertThat(n.get("roofline_share").asDouble())
                    .isCloseTo(n.get("avg_ts").asDouble() / n.get("roofline_ts").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
        }
        // tokens/s of the batched test counts all B sequences: B * N tokens per sample.
        double ns = tgb.get("samples_ns").get(0).asDouble();
        assertThat(tgb.get("samples_ts").get(0).asDouble()).isCloseTo(2 * 8 * 1e9 / ns, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.err()).contains("tg8 x2").contains("run 2/2").contains("memory bandwidth");
    }

    @Test
    void tableHasAPpAndATgRowPerThreadCountAndTheBandwidthBeforeIt() {
        Result r = junction("bench", model.toString(), "-p", "16", "-n", "8", "-r", "2", "-t", "1,2",
                "--bandwidth-mib", "4");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String out = r.out();
        assertThat(out).contains("| model").contains("t/s").contains("roofline");
        assertThat(out.indexOf("memory bandwidth")).isLessThan(out.indexOf("| model"));
        List<String> rows = out.lines().filter(l -> l.startsWith("| tiny-q8_0.gguf")).toList();
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).contains(" pp16 ").contains(" Q8_0 ").contains(" ± ");
        assertThat(rows.get(1)).contains(" tg8 ").containsPattern("\\d+%");
        assertThat(rows.get(2)).contains(" pp16 ").containsPattern("\\|\\s+2 \\|");
        assertThat(rows.get(3)).contains(" tg8 ");
    }

    @Test
    void zeroSkipsATestAndNoBandwidthMeansNoRoofline() {
        Result r = junction("bench", model.toString(), "-p", "0", "-n", "4", "-r", "1", "-t", "1", "--bandwidth-mib", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("pp").doesNotContain("memory bandwidth").contains(" tg4 ");
        assertThat(r.out().lines().filter(l -> l.startsWith("| tiny")).findFirst().orElseThrow()).doesNotContain("%");
    }

    @Test
    void bandwidthAloneNeedsNoModel() throws IOException {
        Result r = junction("bench", "--bandwidth", "--bandwidth-mib", "4", "-t", "1", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out().strip());
        assertThat(n.get("test").asText()).isEqualTo("bandwidth");
        assertThat(n.get("read_gbs").asDouble()).isPositive();
        assertThat(n.get("copy_gbs").asDouble()).isPositive();
        assertThat(n.get("triad_gbs").asDouble()).isPositive();
        Result table = junction("bench", "--bandwidth", "--bandwidth-mib", "4", "-t", "1");
        assertThat(table.out()).contains("read (sum)").contains("GB/s");
    }

    @Test
    void badArgumentsAreOneLine() {
        Result r = junction("bench", model.toString(), "-r", "0");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err().strip()).isEqualTo("junction: -r must be at least 1, got 0");
    }

    @Test
    void theTypeColumnNamesTheMatrixTypesHoldingAtLeastATenth() {
        assertThat(BenchCommand.dominantTypes(Map.of(GgmlType.Q8_0, 1000L))).isEqualTo("Q8_0");
        assertThat(BenchCommand.dominantTypes(Map.of(GgmlType.Q4_K, 700L, GgmlType.Q6_K, 300L))).isEqualTo("Q4_K+Q6_K");
        assertThat(BenchCommand.dominantTypes(Map.of(GgmlType.Q4_0, 940L, GgmlType.Q6_K, 60L))).isEqualTo("Q4_0");
    }

    @Test
    void statisticsAreLlamaBenchs() {
        assertThat(BenchCommand.mean(new double[]{1, 2, 3})).isEqualTo(2.0);
        assertThat(BenchCommand.stddev(new double[]{1, 2, 3})).isEqualTo(1.0);
        assertThat(BenchCommand.stddev(new double[]{5})).isZero();
    }
}
