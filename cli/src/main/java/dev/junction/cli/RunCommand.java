package dev.junction.cli;

import dev.junction.engine.chat.ChatMessage;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.Model;
import dev.junction.engine.runtime.Session;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.engine.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code junction run}: continue a prompt, streaming the text to stdout, or chat in the terminal when no prompt is
 * given. Speeds go to stderr so stdout holds only the model's text.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Generate text from a prompt, or chat interactively when no prompt is given.")
final class RunCommand implements Callable<Integer> {
    private final Environment env;

    RunCommand(Environment env) {
        this.env = env;
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "GGUF file (default: the embedded model)")
    String model;

    @Option(names = {"-p", "--prompt"}, description = "Text to continue. Without it: interactive chat.")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens = 256;

    @Option(names = {"-s", "--system"}, description = "System prompt for the interactive chat.")
    String system;

    @Option(names = "--show-logits", paramLabel = "K", description = "With -p: print, instead of text, each generated "
            + "token with the K highest raw (pre-softmax) logits of its step, highest first.")
    Integer showLogits;

    @Option(names = "--jsonl", description = "With -p: print one JSON object per generated token instead of text: "
            + "{\"step\": 0, \"token\": 312, \"top\": [[312, 20.294197], ...]} (\"top\" with --show-logits).")
    boolean jsonl;

    @Option(names = "--exact", description = "Compute in the engine's exact mode: float activations in every product "
            + "and an F32 KV cache (slower; for comparison with F32 references).")
    boolean exact;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    ModelOptions options;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (maxTokens < 0) throw new IllegalArgumentException("-n must not be negative, got " + maxTokens);
        SamplingParams params = sampling.params();
        boolean perToken = jsonl || showLogits != null;
        if (showLogits != null && showLogits < 1) {
            throw new IllegalArgumentException("--show-logits must be positive, got " + showLogits);
        }
        if (perToken && prompt == null) throw new IllegalArgumentException("--show-logits and --jsonl need -p");
        if (exact && options.cacheType != KvCache.Type.F32) {
            throw new IllegalArgumentException("--exact computes with an F32 KV cache; drop --cache-type "
                    + options.cacheType);
        }
        try (Model m = options.load(env.model(model), err); Parallel parallel = options.parallel()) {
            if (prompt == null) {
                chat(m, parallel, params, out, err);
                return 0;
            }
            int[] ids = m.tokenizer().encode(prompt, true, true);
            int capacity = options.context(m, ids.length + maxTokens);
            Session session = exact ? Session.exact(m, parallel, capacity)
                    : new Session(m, parallel, capacity, options.cacheType);
            Session.Stats stats;
            if (perToken) {
                TokenLines lines = new TokenLines(out, jsonl, showLogits == null ? 0 : showLogits);
                stats = session.generate(ids, params, maxTokens, lines::logits, lines::token);
            } else {
                stats = session.generate(ids, params, maxTokens, (token, text) -> {
                    out.print(text);
                    out.flush();
                    return true;
                });
                out.println();
                out.flush();
            }
            printStats(err, stats);
        }
        return 0;
    }

    private void chat(Model m, Parallel parallel, SamplingParams params, PrintWriter out, PrintWriter err) throws IOException {
        Session session = new Session(m, parallel, options.context(m, 4096), options.cacheType);
        List<ChatMessage> history = new ArrayList<>();
        if (system != null) history.add(new ChatMessage("system", system));
        BufferedReader in = new BufferedReader(new InputStreamReader(env.stdin(), StandardCharsets.UTF_8));
        err.println("Chatting with " + m.name() + " (context " + session.capacity() + " tokens). Ctrl-D ends.");
        while (true) {
            out.print("> ");
            out.flush();
            String line = in.readLine();
            if (line == null) break;
            if (line.isBlank()) continue;
            history.add(new ChatMessage("user", line));
            int[] ids = chatPrompt(m.tokenizer(), m.chatTemplate().render(history, true));
            if (ids.length >= session.capacity()) {
                err.println("[the conversation no longer fits the context of " + session.capacity()
                        + " tokens; start again with a larger --ctx]");
                break;
            }
            StringBuilder reply = new StringBuilder();
            Session.Stats stats = session.generate(ids, params, Math.min(maxTokens, session.capacity() - ids.length),
                    (token, text) -> {
                        reply.append(text);
                        out.print(text);
                        out.flush();
                        return true;
                    });
            out.println();
            history.add(new ChatMessage("assistant", reply.toString()));
            printStats(err, stats);
        }
        out.println();
    }

    /** Tokens of a rendered chat: special tokens in the template's text are parsed; BOS added when the model wants it
     *  and the template did not write it. */
    static int[] chatPrompt(Tokenizer tokenizer, String rendered) {
        int[] ids = tokenizer.encode(rendered, false, true);
        if (tokenizer.addsBos() && tokenizer.bos() >= 0 && (ids.length == 0 || ids[0] != tokenizer.bos())) {
            int[] prefixed = new int[ids.length + 1];
            prefixed[0] = tokenizer.bos();
            System.arraycopy(ids, 0, prefixed, 1, ids.length);
            return prefixed;
        }
        return ids;
    }

    private static void printStats(PrintWriter err, Session.Stats s) {
        err.printf("[prompt: %d tokens (%d cached), %.1f tokens/s | generation: %d tokens, %.1f tokens/s | %s]%n",
                s.promptTokens(), s.cachedTokens(), s.promptTokensPerSecond(), s.generatedTokens(),
                s.generateTokensPerSecond(), s.finishReason().name().toLowerCase());
        err.flush();
    }
}
