package dev.junction.openai;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/completions} (legacy) body: one or more prompts, each continued {@code n} times.
 *
 * @param prompts  text or token-id prompts; a request may batch several
 * @param echo     whether each choice's text starts with its prompt (with {@code logprobs}, whose tokens are then
 *                 scored too); a token-id prompt is echoed as the text of its tokens
 * @param logprobs null = none; otherwise log-probabilities with this many alternatives per token (0–20)
 */
public record CompletionRequest(String model, List<PromptInput> prompts, GenerationOptions options, boolean echo,
                                Integer logprobs) {
    /** The legacy endpoint's default output length. */
    public static final int DEFAULT_MAX_TOKENS = 16;
    public static final int MAX_LOGPROBS = 20;

    /** One prompt: text, or token ids given as they are. */
    public sealed interface PromptInput {
        record Text(String text) implements PromptInput {
        }

        record Tokens(int[] ids) implements PromptInput {
            public Tokens {
                ids = ids.clone();
            }
        }
    }

    public CompletionRequest {
        prompts = List.copyOf(prompts);
    }

    /** Reads a request body. @throws InvalidRequestException naming the field at fault */
    public static CompletionRequest parse(byte[] body) {
        JsonFields fields = JsonFields.body(OpenAiJson.readTree(body));
        String model = fields.requiredString("model");
        List<PromptInput> prompts = prompts(fields.required("prompt"));
        UnsupportedFields.refuseAny(fields, List.of("suffix"), model); // inserting text needs a fill-in-middle model
        Integer bestOf = fields.integer("best_of");
        GenerationOptions options = GenerationOptions.read(fields, DEFAULT_MAX_TOKENS);
        if (bestOf != null && bestOf < options.n()) {
            throw new InvalidRequestException("best_of", "Invalid 'best_of': it must be at least 'n' ("
                    + options.n() + "), but got " + bestOf + " instead.");
        }
        if (bestOf != null && bestOf > options.n()) { // choosing the best of more choices than are returned
            throw new InvalidRequestException("best_of", "'best_of' greater than 'n' is not supported by model '"
                    + model + "'; every generated choice is returned, so use 'n'.");
        }
        boolean echo = fields.bool("echo", false);
        Integer logprobs = fields.integer("logprobs");
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            throw new InvalidRequestException("logprobs", "Invalid 'logprobs': expected a value between 0 and "
                    + MAX_LOGPROBS + ", but got " + logprobs + " instead.");
        }
        return new CompletionRequest(model, prompts, options, echo, logprobs);
    }

    private static List<PromptInput> prompts(JsonNode prompt) {
        if (prompt.isTextual()) return List.of(new PromptInput.Text(prompt.textValue()));
        if (!prompt.isArray()) {
            throw JsonFields.wrongType("prompt", "a string, an array of strings or an array of token ids", prompt);
        }
        if (prompt.isEmpty()) throw new InvalidRequestException("prompt", "Invalid 'prompt': empty array.");
        if (prompt.get(0).isNumber()) return List.of(tokens(prompt, "prompt"));
        List<PromptInput> prompts = new ArrayList<>(prompt.size());
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode element = prompt.get(i);
            String param = "prompt[" + i + "]";
            if (element.isTextual()) prompts.add(new PromptInput.Text(element.textValue()));
            else if (element.isArray() && !element.isEmpty()) prompts.add(tokens(element, param));
            else throw JsonFields.wrongType(param, "a string or a non-empty array of token ids", element);
        }
        return prompts;
    }

    private static PromptInput.Tokens tokens(JsonNode array, String param) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            long id = JsonFields.asLong(array.get(i), param + "[" + i + "]");
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new InvalidRequestException(param + "[" + i + "]", "Invalid token id " + id + ".");
            }
            ids[i] = (int) id;
        }
        return new PromptInput.Tokens(ids);
    }
}
