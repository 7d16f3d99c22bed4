package dev.junction.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.kernel.MemoryBandwidth;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.Model;
import dev.junction.engine.model.Transformer;
import dev.junction.engine.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code junction bench}: prompt-processing and generation speed like llama-bench ({@code pp<P>}, {@code tg<N>},
 * and {@code tg<N> xB} for B sequences decoded together), with the machine's memory bandwidth measured in the same
 * run and each generation test set against its bandwidth roofline. Fixed random token ids are fed, so no tokenizer or
 * sampling work is timed. Results on stdout (a markdown table, or JSON lines with {@code --json}); progress on stderr.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = ServeBenchCommand.class, description = {
        "Measure prompt processing (pp) and generation (tg) speed like llama-bench, and the memory bandwidth "
                + "roofline of generation.",
        "Each test: one warm-up run, then -r timed repetitions; t/s is mean ± standard deviation."})
final class BenchCommand implements Callable<Integer> {
    private final Environment env;

    BenchCommand(Environment env) {
        this.env = env;
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "GGUF file (default: the embedded model)")
    String model;

    @Option(names = {"-p", "--n-prompt"}, split = ",", defaultValue = "512", paramLabel = "P",
            description = "Prompt lengths for pp tests, comma-separated; 0 skips (default: ${DEFAULT-VALUE}).")
    List<Integer> prompts;

    @Option(names = {"-n", "--n-gen"}, split = ",", defaultValue = "128", paramLabel = "N",
            description = "Tokens to generate in tg tests, comma-separated; 0 skips (default: ${DEFAULT-VALUE}).")
    List<Integer> gens;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "T",
            description = "Thread counts, comma-separated (default: all cores).")
    List<Integer> threads;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5",
            description = "Timed repetitions of each test (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--batch", split = ",", defaultValue = "1", paramLabel = "B",
            description = "Sequences decoded together: each B > 1 adds a 'tg<N> xB' test reporting B*N/time "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--json", description = "JSON lines on stdout, one object per test (llama-bench's field names).")
    boolean json;

    @Mixin
    MmapOption mmap;

    @Option(names = "--bandwidth", description = "Measure only the memory bandwidth (no model).")
    boolean bandwidthOnly;

    @Option(names = "--bandwidth-mib", defaultValue = "512", paramLabel = "MIB",
            description = "Size of each of the three bandwidth-test arrays in MiB; 0 skips the bandwidth test and "
                    + "the roofline (default: ${DEFAULT-VALUE}).")
    int bandwidthMib;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random token ids (default: ${DEFAULT-VALUE}).")
    long seed;

    private final ObjectMapper mapper = new ObjectMapper();
    private final ProgressBar.Style progressStyle = ProgressBar.Style.detect();

    /** What the table says about the model. */
    record ModelSummary(String fileName, String path, long sizeBytes, long params, String type, long weightBytesPerToken,
                        long kvBytesPerPosition) {}

    /**
     * One test's timings. {@code seqs} is 1 except in batched generation. {@code heapBytes}: Java heap allocated by all
     * threads during the measured repetition that allocated least, which a steady-state step should keep at zero (a
     * method the JIT compiler recompiles late, after a deoptimization, runs unoptimized for a while and allocates then,
     * once: megabytes in one repetition, nothing in the next).
     */
    record Measurement(String test, int threads, int nPrompt, int nGen, int seqs, long[] samplesNs, long heapBytes) {
        Measurement(String test, int threads, int nPrompt, int nGen, int seqs) {
            this(test, threads, nPrompt, nGen, seqs, null, 0);
        }

        /** Heap bytes allocated per token processed or generated, in the repetition that allocated least. */
        double heapBytesPerToken() {
            return heapBytes / (double) tokens();
        }

        long tokens() {
            return nPrompt > 0 ? nPrompt : (long) nGen * seqs;
        }

        double[] samplesTs() {
            double[] ts = new double[samplesNs.length];
            for (int i = 0; i < ts.length; i++) ts[i] = tokens() * 1e9 / samplesNs[i];
            return ts;
        }

        boolean generation() {
            return nGen > 0;
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        validate();
        List<Integer> threadCounts = threads == null || threads.isEmpty() ? List.of(Parallel.defaultThreads()) : threads;
        if (bandwidthOnly) {
            if (model != null) throw new IllegalArgumentException("--bandwidth measures memory only; drop MODEL");
            if (bandwidthMib == 0) throw new IllegalArgumentException("--bandwidth needs --bandwidth-mib > 0");
            Map<Integer, MemoryBandwidth.Result> bw = measureBandwidth(threadCounts, err);
            if (json) {
                for (MemoryBandwidth.Result r : bw.values()) out.println(toJson(bandwidthJson(r)));
            } else {
                printBandwidth(out, bw);
            }
            out.flush();
            return 0;
        }
        try (Model m = ModelOptions.load(env.model(model), mmap.enabled, err)) {
            ModelSummary summary = summarize(m);
            Map<Integer, MemoryBandwidth.Result> bw = bandwidthMib > 0 ? measureBandwidth(threadCounts, err) : Map.of();
            if (!bw.isEmpty()) {
                if (json) printBandwidth(err, bw);
                else {
                    printBandwidth(out, bw);
                    out.println();
                }
            }
            Table table = new Table(summary.fileName(), summary.type());
            if (!json) {
                table.header(out);
                out.flush();
            }
            int total = threadCounts.size() * testsPerThreadCount();
            int index = 0;
            for (int t : threadCounts) {
                try (Parallel parallel = new Parallel(t)) {
                    for (Measurement plan : plans(t)) {
                        index++;
                        Measurement done = run(m, parallel, plan, "[" + index + "/" + total + "] ", err);
                        MemoryBandwidth.Result b = bw.get(t);
                        Roofline roof = b == null || !done.generation() ? null : roofline(summary, b, done);
                        if (json) out.println(toJson(testJson(summary, done, b, roof)));
                        else table.row(out, summary, done, roof);
                        out.flush();
                    }
                }
            }
            if (!json && !bw.isEmpty() && !gens.stream().allMatch(n -> n == 0)) {
                out.println();
                out.printf("roofline = read bandwidth ÷ bytes read per generated token: weights %.1f MB per decode step "
                                + "(shared by the B sequences of 'xB' tests) + KV cache %.1f KiB per position attended "
                                + "(averaged over the test, from a 1-token context).%n",
                        summary.weightBytesPerToken() / 1e6, summary.kvBytesPerPosition() / 1024.0);
            }
            out.flush();
        }
        return 0;
    }

    private void validate() {
        if (reps < 1) throw new IllegalArgumentException("-r must be at least 1, got " + reps);
        for (int p : prompts) if (p < 0) throw new IllegalArgumentException("-p must not be negative, got " + p);
        for (int n : gens) if (n < 0) throw new IllegalArgumentException("-n must not be negative, got " + n);
        for (int b : batches) if (b < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + b);
        if (threads != null) {
            for (int t : threads) if (t < 1) throw new IllegalArgumentException("-t must be at least 1, got " + t);
        }
        if (bandwidthMib < 0) throw new IllegalArgumentException("--bandwidth-mib must not be negative, got " + bandwidthMib);
    }

    private int testsPerThreadCount() {
        return plans(1).size();
    }

    /** The tests for one thread count, in llama-bench's order: prompts, then generation, then batched generation. */
    private List<Measurement> plans(int t) {
        List<Measurement> plans = new ArrayList<>();
        for (int p : prompts) if (p > 0) plans.add(new Measurement("pp" + p, t, p, 0, 1));
        for (int n : gens) if (n > 0) plans.add(new Measurement("tg" + n, t, 0, n, 1));
        for (int b : batches) {
            if (b < 2) continue;
            for (int n : gens) if (n > 0) plans.add(new Measurement("tg" + n + " x" + b, t, 0, n, b));
        }
        return plans;
    }

    // ---- running the tests ----

    private Measurement run(Model m, Parallel parallel, Measurement plan, String tag, PrintWriter err) {
        Transformer tf = m.transformer();
        int vocab = m.config().vocabSize();
        Random random = new Random(seed);
        int bos = m.tokenizer().bos() >= 0 && m.tokenizer().bos() < vocab ? m.tokenizer().bos() : 0;
        String label = tag + plan.test() + ", " + plan.threads() + (plan.threads() == 1 ? " thread" : " threads");
        Run body;
        if (plan.nPrompt() > 0) {
            int[] tokens = randomTokens(random, plan.nPrompt(), vocab);
            Transformer.Sequence s = tf.newSequence(plan.nPrompt());
            body = () -> {
                s.truncate(0);
                long t0 = System.nanoTime();
                tf.forwardBatch(s, tokens, 0, tokens.length, true, parallel);
                return System.nanoTime() - t0;
            };
        } else if (plan.seqs() == 1) {
            int[] tokens = randomTokens(random, plan.nGen(), vocab);
            Transformer.Sequence s = tf.newSequence(1 + plan.nGen());
            body = () -> {
                s.truncate(0);
                tf.forward(s, bos, parallel);
                long t0 = System.nanoTime();
                for (int token : tokens) tf.forward(s, token, parallel);
                return System.nanoTime() - t0;
            };
        } else {
            int b = plan.seqs();
            int[][] steps = new int[plan.nGen()][];
            for (int i = 0; i < steps.length; i++) steps[i] = randomTokens(random, b, vocab);
            Transformer.Sequence[] seqs = new Transformer.Sequence[b];
            for (int i = 0; i < b; i++) seqs[i] = tf.newSequence(1 + plan.nGen());
            int[] first = new int[b];
            java.util.Arrays.fill(first, bos);
            body = () -> {
                for (Transformer.Sequence s : seqs) s.truncate(0);
                tf.decodeBatch(seqs, first, parallel);
                long t0 = System.nanoTime();
                for (int[] step : steps) tf.decodeBatch(seqs, step, parallel);
                return System.nanoTime() - t0;
            };
        }
        Progress progress = new Progress(err, label, progressStyle);
        progress.show("warm-up");
        body.timeNs();
        long[] samples = new long[reps];
        long heap = Long.MAX_VALUE; // the least of any run: a late JIT recompilation allocates once, a step every time
        for (int r = 0; r < reps; r++) {
            progress.show("run " + (r + 1) + "/" + reps);
            long before = HEAP.getTotalThreadAllocatedBytes();
            samples[r] = body.timeNs();
            heap = Math.min(heap, HEAP.getTotalThreadAllocatedBytes() - before);
        }
        Measurement done = new Measurement(plan.test(), plan.threads(), plan.nPrompt(), plan.nGen(), plan.seqs(), samples, heap);
        double[] ts = done.samplesTs();
        progress.done(String.format("%.2f ± %.2f t/s, %.0f heap bytes/token", mean(ts), stddev(ts), done.heapBytesPerToken()));
        return done;
    }

    /** Heap allocation counters of all threads (HotSpot's; the figure is approximate, to the TLAB). */
    private static final com.sun.management.ThreadMXBean HEAP =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FunctionalInterface
    private interface Run {
        long timeNs();
    }

    private static int[] randomTokens(Random random, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = random.nextInt(vocab);
        return ids;
    }

    /**
     * A test's status on stderr, ending with its result: one line redrawn in place on a terminal, else a plain line
     * per state (no {@code \r} frames piling up in a pipe or a log).
     */
    private static final class Progress {
        private final PrintWriter err;
        private final String label;
        private final ProgressBar.Style style;
        private int lastLength;

        Progress(PrintWriter err, String label, ProgressBar.Style style) {
            this.err = err;
            this.label = label;
            this.style = style;
        }

        void show(String state) {
            draw(label + ": " + state, false);
        }

        void done(String result) {
            draw(label + ": " + result, true);
        }

        private void draw(String line, boolean end) {
            switch (style) {
                case TERMINAL -> {
                    err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
                    if (end) err.println();
                    lastLength = line.length();
                }
                case LINES -> err.println(line);
            }
            err.flush();
        }
    }

    // ---- bandwidth and roofline ----

    private Map<Integer, MemoryBandwidth.Result> measureBandwidth(List<Integer> threadCounts, PrintWriter err) {
        Map<Integer, MemoryBandwidth.Result> results = new TreeMap<>();
        for (int t : threadCounts) {
            if (results.containsKey(t)) continue;
            String label = "memory bandwidth, " + t + (t == 1 ? " thread" : " threads");
            Progress progress = new Progress(err, label, progressStyle);
            progress.show("3 × " + bandwidthMib + " MiB arrays, " + MemoryBandwidth.DEFAULT_PASSES + " passes");
            try (Parallel parallel = new Parallel(t)) {
                MemoryBandwidth.Result r = MemoryBandwidth.measure(parallel, (long) bandwidthMib << 20,
                        MemoryBandwidth.DEFAULT_PASSES);
                results.put(t, r);
                progress.done(String.format("read %.1f GB/s", r.readGBs()));
            }
        }
        return results;
    }

    private static void printBandwidth(PrintWriter w, Map<Integer, MemoryBandwidth.Result> bw) {
        MemoryBandwidth.Result any = bw.values().iterator().next();
        w.printf("memory bandwidth (STREAM-like, 3 × %s arrays, median of %d passes):%n",
                Units.bytes(any.arrayBytes()), any.passes());
        w.println();
        w.println("| threads |   read (sum) |         copy |        triad |");
        w.println("| ------: | -----------: | -----------: | -----------: |");
        for (MemoryBandwidth.Result r : bw.values()) {
            w.printf("| %7d | %7.1f GB/s | %7.1f GB/s | %7.1f GB/s |%n", r.threads(), r.readGBs(), r.copyGBs(),
                    r.triadGBs());
        }
        w.flush();
    }

    /** The generation roofline: tokens/s if every decode step only streamed its bytes at the read bandwidth. */
    record Roofline(double tokensPerSecond, double share, double bytesPerToken) {}

    static Roofline roofline(ModelSummary s, MemoryBandwidth.Result bw, Measurement m) {
        // Step i (0-based) runs at position 1 + i and attends to 2 + i positions.
        double avgAttended = 2 + (m.nGen() - 1) / 2.0;
        double bytesPerStep = s.weightBytesPerToken() + m.seqs() * s.kvBytesPerPosition() * avgAttended;
        double roof = m.seqs() * bw.readGBs() * 1e9 / bytesPerStep;
        return new Roofline(roof, mean(m.samplesTs()) / roof, bytesPerStep / m.seqs());
    }

    // ---- the model summary ----

    static ModelSummary summarize(Model m) {
        long size = 0, params = 0;
        Map<GgmlType, Long> matrixElements = new EnumMap<>(GgmlType.class);
        for (TensorInfo t : m.file().tensors().values()) {
            size += t.byteSize();
            params += t.elementCount();
            if (t.shape().length >= 2) matrixElements.merge(t.type(), t.elementCount(), Long::sum);
        }
        return new ModelSummary(m.path().getFileName().toString(), m.path().toString(), size, params,
                dominantTypes(matrixElements), m.transformer().weights().bytesReadPerToken(),
                m.config().kvBytesPerPosition());
    }

    /** The matrix types holding at least 10% of the matrix parameters, largest first: "Q8_0", "Q4_K+Q6_K". */
    static String dominantTypes(Map<GgmlType, Long> matrixElements) {
        long total = matrixElements.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) return "-";
        return matrixElements.entrySet().stream()
                .filter(e -> e.getValue() * 10 >= total)
                .sorted(Map.Entry.<GgmlType, Long>comparingByValue().reversed())
                .map(e -> e.getKey().name())
                .collect(Collectors.joining("+"));
    }

    // ---- output ----

    /** A llama-bench-style markdown table, printed a row at a time as tests finish. */
    private static final class Table {
        private final int modelWidth, typeWidth;

        Table(String modelName, String type) {
            modelWidth = Math.max(30, modelName.length());
            typeWidth = Math.max(9, type.length());
        }

        void header(PrintWriter out) {
            out.printf("| %-" + modelWidth + "s | %10s | %10s | %-" + typeWidth + "s | %7s | %15s | %20s | %12s | %8s |%n",
                    "model", "size", "params", "type", "threads", "test", "t/s", "roofline t/s", "of roof");
            out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", "-".repeat(modelWidth), "-".repeat(9) + ":",
                    "-".repeat(9) + ":", "-".repeat(typeWidth), "-".repeat(6) + ":", "-".repeat(14) + ":",
                    "-".repeat(19) + ":", "-".repeat(11) + ":", "-".repeat(7) + ":");
        }

        void row(PrintWriter out, ModelSummary s, Measurement m, Roofline roof) {
            double[] ts = m.samplesTs();
            out.printf("| %-" + modelWidth + "s | %10s | %10s | %-" + typeWidth + "s | %7d | %15s | %20s | %12s | %8s |%n",
                    s.fileName(), size(s.sizeBytes()), params(s.params()), s.type(), m.threads(), m.test(),
                    String.format("%.2f ± %.2f", mean(ts), stddev(ts)),
                    roof == null ? "" : String.format("%.2f", roof.tokensPerSecond()),
                    roof == null ? "" : String.format("%.0f%%", 100 * roof.share()));
        }
    }

    /** Sizes as llama-bench prints them (GiB), small models in MiB. */
    static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.2f GiB", bytes / (double) (1L << 30))
                : String.format("%.2f MiB", bytes / (double) (1L << 20));
    }

    /** Parameter counts as llama-bench prints them (billions), small models in millions. */
    static String params(long n) {
        return n >= 1_000_000_000L ? String.format("%.2f B", n / 1e9) : String.format("%.2f M", n / 1e6);
    }

    private Map<String, Object> testJson(ModelSummary s, Measurement m, MemoryBandwidth.Result bw, Roofline roof) {
        double[] ts = m.samplesTs();
        double[] ns = new double[m.samplesNs().length];
        for (int i = 0; i < ns.length; i++) ns[i] = m.samplesNs()[i];
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("test", m.test());
        o.put("model_filename", s.path());
        o.put("model_type", s.type());
        o.put("model_size", s.sizeBytes());
        o.put("model_n_params", s.params());
        o.put("n_threads", m.threads());
        o.put("n_prompt", m.nPrompt());
        o.put("n_gen", m.nGen());
        o.put("n_batch", m.nPrompt() > 0 ? m.nPrompt() : m.seqs());
        o.put("n_seq", m.seqs());
        o.put("use_mmap", mmap.enabled);
        o.put("test_time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("avg_ns", Math.round(mean(ns)));
        o.put("stddev_ns", Math.round(stddev(ns)));
        o.put("avg_ts", mean(ts));
        o.put("stddev_ts", stddev(ts));
        o.put("samples_ns", m.samplesNs());
        o.put("samples_ts", ts);
        o.put("heap_bytes_per_token", m.heapBytesPerToken());
        if (bw != null) o.put("bandwidth_gbs", bw.readGBs());
        if (roof != null) {
            o.put("bytes_per_token", Math.round(roof.bytesPerToken()));
            o.put("roofline_ts", roof.tokensPerSecond());
            o.put("roofline_share", roof.share());
        }
        return o;
    }

    private static Map<String, Object> bandwidthJson(MemoryBandwidth.Result r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("test", "bandwidth");
        o.put("n_threads", r.threads());
        o.put("array_bytes", r.arrayBytes());
        o.put("passes", r.passes());
        o.put("read_gbs", r.readGBs());
        o.put("copy_gbs", r.copyGBs());
        o.put("triad_gbs", r.triadGBs());
        return o;
    }

    private String toJson(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s / xs.length;
    }

    /** Sample standard deviation (n - 1), 0 for a single sample: as llama-bench reports it. */
    static double stddev(double[] xs) {
        if (xs.length < 2) return 0;
        double m = mean(xs), s = 0;
        for (double x : xs) s += (x - m) * (x - m);
        return Math.sqrt(s / (xs.length - 1));
    }
}
