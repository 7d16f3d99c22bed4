package dev.junction.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.ModelFormatException;
import dev.junction.engine.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/**
 * {@code junction tokenize}: the token ids of a text, as the model's tokenizer makes them. Only the vocabulary is
 * read, so vocab-only GGUF files work too. {@code --jsonl} checks many texts in one run, as llama.cpp's tokenizer
 * tests do (no BOS/EOS, special-token text not parsed).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the token ids of a text (one line, space-separated).")
final class TokenizeCommand implements Callable<Integer> {
    private final Environment env;

    TokenizeCommand(Environment env) {
        this.env = env;
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF file (a vocab-only file is enough)")
    String model;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TEXT", description = "Text to tokenize")
    String text;

    @Option(names = "--no-bos", description = "Do not add BOS even when the model asks for it.")
    boolean noBos;

    @Option(names = "--pieces", description = "Also print each token's piece, as id:'piece'.")
    boolean pieces;

    @Option(names = "--jsonl", description = "Read one JSON string per line from stdin; print one line of ids per input.")
    boolean jsonl;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(env.model(model))) {
            try {
                tokenizer = Tokenizer.fromGguf(file.metadata());
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file.path(), e.getMessage());
            }
        }
        if (jsonl) {
            if (text != null) throw new IllegalArgumentException("--jsonl reads texts from stdin; give no TEXT");
            ObjectMapper json = new ObjectMapper();
            BufferedReader in = new BufferedReader(new InputStreamReader(env.stdin(), StandardCharsets.UTF_8));
            int lineNo = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                String input;
                try {
                    input = json.readValue(line, String.class);
                } catch (IOException e) {
                    throw new IllegalArgumentException("stdin line " + lineNo + " is not a JSON string");
                }
                out.println(join(tokenizer, tokenizer.encode(input, false, false), false));
            }
        } else {
            if (text == null) throw new IllegalArgumentException("give a TEXT to tokenize, or --jsonl to read stdin");
            out.println(join(tokenizer, tokenizer.encode(text, !noBos, false), pieces));
        }
        out.flush();
        return 0;
    }

    private static String join(Tokenizer tokenizer, int[] ids, boolean withPieces) {
        StringJoiner line = new StringJoiner(" ");
        for (int id : ids) {
            line.add(withPieces ? id + ":'" + new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8) + "'" : Integer.toString(id));
        }
        return line.toString();
    }
}
