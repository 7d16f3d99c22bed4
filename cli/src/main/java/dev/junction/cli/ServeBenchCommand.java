package dev.junction.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code junction bench serve}: load-tests a running OpenAI-compatible server (Junction's or any other) at several
 * concurrency levels and prints requests/s, output tokens/s, and time-to-first-token and inter-token-latency
 * percentiles per level.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Load-test a running OpenAI-compatible server: for each concurrency level, that many clients send streaming "
                + "completions back to back.",
        "Reports requests/s, output tokens/s, TTFT and ITL p50/p99 (milliseconds)."})
final class ServeBenchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the server (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--model", description = "Model to request (default: the first the server lists).")
    String model;

    @Option(names = {"-c", "--concurrency"}, split = ",", defaultValue = "1,4,16,64", paramLabel = "C",
            description = "Concurrency levels, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "64",
            description = "max_tokens of each request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--requests", paramLabel = "N",
            description = "Requests per level (default: 2 × concurrency, at least 4).")
    Integer requests;

    @Option(names = "--json", description = "JSON lines on stdout, one object per level.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        for (int c : concurrency) if (c < 1) throw new IllegalArgumentException("concurrency must be >= 1, got " + c);
        if (maxTokens < 1) throw new IllegalArgumentException("--max-tokens must be >= 1, got " + maxTokens);
        String name = model != null ? model : LoadGenerator.firstModel(url);
        LoadGenerator load = new LoadGenerator(url, name, maxTokens, System::nanoTime);
        err.println("warming up " + name + " at " + url);
        err.flush();
        load.run(1, 1);
        if (!json) {
            out.println("| model | concurrency | requests | failed | req/s | output t/s | TTFT p50 ms | TTFT p99 ms "
                    + "| ITL p50 ms | ITL p99 ms |");
            out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            out.flush();
        }
        for (int c : concurrency) {
            int n = requests != null ? requests : Math.max(4, 2 * c);
            err.printf("concurrency %d: %d requests…%n", c, n);
            err.flush();
            LoadGenerator.Result r = load.run(c, n);
            out.println(json ? jsonLine(name, r) : tableLine(name, r));
            out.flush();
        }
        return 0;
    }

    private static String tableLine(String model, LoadGenerator.Result r) {
        return String.format("| %s | %d | %d | %d | %.2f | %.1f | %.0f | %.0f | %.1f | %.1f |", model, r.concurrency(),
                r.requests(), r.failed(), r.requestsPerSecond(), r.outputTokensPerSecond(), r.ttftP50(), r.ttftP99(),
                r.itlP50(), r.itlP99());
    }

    private static String jsonLine(String model, LoadGenerator.Result r) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("concurrency", r.concurrency());
        m.put("requests", r.requests());
        m.put("failed", r.failed());
        m.put("seconds", r.seconds());
        m.put("requests_per_second", r.requestsPerSecond());
        m.put("output_tokens", r.outputTokens());
        m.put("output_tokens_per_second", r.outputTokensPerSecond());
        m.put("ttft_p50_ms", r.ttftP50());
        m.put("ttft_p99_ms", r.ttftP99());
        m.put("itl_p50_ms", r.itlP50());
        m.put("itl_p99_ms", r.itlP99());
        return new ObjectMapper().writeValueAsString(m);
    }
}
