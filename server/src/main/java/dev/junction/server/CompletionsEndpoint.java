package dev.junction.server;

import dev.junction.inference.FinishReason;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceService;
import dev.junction.inference.Prompt;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import dev.junction.inference.Usage;
import dev.junction.openai.CompletionRequest;
import dev.junction.openai.CompletionRequest.PromptInput;
import dev.junction.openai.CompletionUsage;
import dev.junction.openai.OpenAiJson;
import dev.junction.openai.TextCompletion;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions} (legacy): each prompt continued {@code n} times; choice {@code p * n + j} is the
 * {@code j}-th continuation of prompt {@code p}.
 */
final class CompletionsEndpoint implements Endpoint {
    private final InferenceService service;
    private final ServerMetrics metrics;
    private final ServerConfig config;

    CompletionsEndpoint(InferenceService service, ServerMetrics metrics, ServerConfig config) {
        this.service = service;
        this.metrics = metrics;
        this.config = config;
    }

    @Override
    public Usage serve(Context ctx, ApiCall call) throws Exception {
        byte[] raw = RequestBodies.read(ctx, config.maxRequestBytes());
        var request = CompletionRequest.parse(raw);
        var options = request.options();
        call.bodyRead(GenerationRequests.shape(request.model(), raw.length, options, request.prompts().size()));
        boolean logprobs = request.logprobs() != null;
        int topLogprobs = logprobs ? request.logprobs() : 0;
        boolean scorePrompt = request.echo() && logprobs; // the echoed prompt's tokens get log-probabilities too
        List<GenerationRequest> generations = new ArrayList<>();
        List<String> echoes = new ArrayList<>();
        for (PromptInput input : request.prompts()) {
            Prompt prompt = switch (input) {
                case PromptInput.Text(String text) -> new Prompt.Text(text);
                case PromptInput.Tokens tokens -> new Prompt.Tokens(tokens.ids());
            };
            String echo = !request.echo() ? "" : switch (input) {
                case PromptInput.Text(String text) -> text;
                case PromptInput.Tokens tokens -> service.detokenize(request.model(), tokens.ids()); // as scores spell it
            };
            for (int j = 0; j < options.n(); j++) echoes.add(echo);
            generations.addAll(GenerationRequests.of(request.model(), prompt, options, logprobs, topLogprobs,
                    scorePrompt));
        }
        var header = ResponseHeader.start("cmpl-", request.model(), metrics, config);
        try (Choices choices = Choices.start(service, generations, options.n(), metrics)) {
            if (options.stream()) {
                return StreamingResponse.run(ctx, call, choices, new Chunks(header, echoes, scorePrompt),
                        options.includeUsage(), metrics);
            }
            List<Choices.Result> results = ClientWatch.collect(ctx, choices, metrics);
            if (results == null) {
                call.clientLeft();
                return choices.usage();
            }
            List<TextCompletion.Choice> answer = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                Choices.Result result = results.get(i);
                String echo = echoes.get(i);
                List<TokenLogprob> tokens = new ArrayList<>(result.promptLogprobs());
                tokens.addAll(result.logprobs());
                answer.add(new TextCompletion.Choice(i, echo + result.text(),
                        logprobs ? LogprobFormats.legacy(tokens, scorePrompt ? 0 : echo.length()) : null,
                        ChunkFormat.finishReason(result.completion().finishReason())));
            }
            Usage usage = choices.usage();
            var completion = new TextCompletion(header.id(), header.created(), header.model(), header.fingerprint(),
                    answer, ChunkFormat.usage(usage));
            ctx.contentType("application/json").result(OpenAiJson.write(completion));
            return usage;
        }
    }

    /**
     * Echoed prompts first (if asked; with their tokens' log-probabilities once the prompts are scored, if those are
     * asked too), then the text of each token, then a finish chunk per choice.
     */
    private static final class Chunks implements ChunkFormat {
        private final ResponseHeader header;
        private final List<String> echoes;
        private final boolean scoredEchoes;
        private final int[] offsets;

        Chunks(ResponseHeader header, List<String> echoes, boolean scoredEchoes) {
            this.header = header;
            this.echoes = echoes;
            this.scoredEchoes = scoredEchoes;
            this.offsets = new int[echoes.size()];
            for (int i = 0; i < offsets.length; i++) offsets[i] = echoes.get(i).length();
        }

        @Override
        public List<Object> opening() {
            List<Object> chunks = new ArrayList<>();
            if (scoredEchoes) return chunks; // each with its scores, when they come
            for (int i = 0; i < echoes.size(); i++) {
                String echo = echoes.get(i);
                if (!echo.isEmpty()) chunks.add(chunk(new TextCompletion.Choice(i, echo, null, null)));
            }
            return chunks;
        }

        @Override
        public Object prompt(int choice, List<TokenLogprob> logprobs) {
            if (!scoredEchoes) return null;
            offsets[choice] = 0;
            for (TokenLogprob t : logprobs) offsets[choice] += t.token().length();
            return chunk(new TextCompletion.Choice(choice, echoes.get(choice), LogprobFormats.legacy(logprobs, 0),
                    null));
        }

        @Override
        public Object token(int choice, TokenEvent token) {
            if (token.text().isEmpty() && token.logprob() == null) return null;
            TextCompletion.Logprobs logprobs = null;
            if (token.logprob() != null) {
                logprobs = LogprobFormats.legacy(List.of(token.logprob()), offsets[choice]);
                offsets[choice] += token.logprob().token().length();
            }
            return chunk(new TextCompletion.Choice(choice, token.text(), logprobs, null));
        }

        @Override
        public Object finish(int choice, FinishReason reason) {
            return chunk(new TextCompletion.Choice(choice, "", null, ChunkFormat.finishReason(reason)));
        }

        @Override
        public Object usage(CompletionUsage usage) {
            return new TextCompletion(header.id(), header.created(), header.model(), header.fingerprint(),
                    List.of(), usage);
        }

        private TextCompletion chunk(TextCompletion.Choice choice) {
            return new TextCompletion(header.id(), header.created(), header.model(), header.fingerprint(),
                    List.of(choice), null);
        }
    }
}
