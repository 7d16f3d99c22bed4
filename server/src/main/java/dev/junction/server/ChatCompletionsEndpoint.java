package dev.junction.server;

import dev.junction.inference.FinishReason;
import dev.junction.inference.InferenceService;
import dev.junction.inference.Prompt;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.Usage;
import dev.junction.openai.ChatCompletion;
import dev.junction.openai.ChatCompletionChunk;
import dev.junction.openai.ChatCompletionChunk.Delta;
import dev.junction.openai.ChatCompletionRequest;
import dev.junction.openai.CompletionUsage;
import dev.junction.openai.OpenAiJson;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/chat/completions}: a conversation continued {@code n} times, as one answer or as a stream. */
final class ChatCompletionsEndpoint implements Endpoint {
    private final InferenceService service;
    private final ServerMetrics metrics;
    private final ServerConfig config;

    ChatCompletionsEndpoint(InferenceService service, ServerMetrics metrics, ServerConfig config) {
        this.service = service;
        this.metrics = metrics;
        this.config = config;
    }

    @Override
    public Usage serve(Context ctx, ApiCall call) throws Exception {
        byte[] raw = RequestBodies.read(ctx, config.maxRequestBytes());
        var request = ChatCompletionRequest.parse(raw);
        var options = request.options();
        call.bodyRead(GenerationRequests.shape(request.model(), raw.length, options, 1));
        var prompt = new Prompt.Chat(request.messages().stream()
                .map(m -> new Prompt.Message(m.role(), m.content())).toList(), request.templateArguments());
        var generations = GenerationRequests.of(request.model(), prompt, options, request.logprobs(),
                request.topLogprobs());
        var header = ResponseHeader.start("chatcmpl-", request.model(), metrics, config);
        try (Choices choices = Choices.start(service, generations, options.n(), metrics)) {
            if (options.stream()) {
                return StreamingResponse.run(ctx, call, choices, new Chunks(header, options.n()),
                        options.includeUsage(), metrics);
            }
            List<Choices.Result> results = ClientWatch.collect(ctx, choices, metrics);
            if (results == null) {
                call.clientLeft();
                return choices.usage();
            }
            List<ChatCompletion.Choice> answer = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                Choices.Result result = results.get(i);
                var logprobs = request.logprobs()
                        ? ChatCompletion.Logprobs.of(LogprobFormats.chat(result.logprobs())) : null;
                answer.add(new ChatCompletion.Choice(i, ChatCompletion.Message.assistant(result.text(), result.reasoning()), logprobs,
                        ChunkFormat.finishReason(result.completion().finishReason())));
            }
            Usage usage = choices.usage();
            var completion = new ChatCompletion(header.id(), header.created(), header.model(), header.fingerprint(),
                    answer, ChunkFormat.usage(usage));
            ctx.contentType("application/json").result(OpenAiJson.write(completion));
            return usage;
        }
    }

    /** A role delta per choice first, then content deltas, then a finish chunk per choice. */
    private record Chunks(ResponseHeader header, int n) implements ChunkFormat {
        @Override
        public List<Object> opening() {
            List<Object> chunks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                chunks.add(chunk(new ChatCompletionChunk.Choice(i, new Delta("assistant", ""), null, null)));
            }
            return chunks;
        }

        @Override
        public Object token(int choice, TokenEvent token) {
            if (token.text().isEmpty() && token.reasoning().isEmpty() && token.logprob() == null) return null;
            var logprobs = token.logprob() == null ? null
                    : ChatCompletion.Logprobs.of(List.of(LogprobFormats.chat(token.logprob())));
            return chunk(new ChatCompletionChunk.Choice(choice, Delta.of(token.text(), token.reasoning()), logprobs,
                    null));
        }

        @Override
        public Object finish(int choice, FinishReason reason) {
            return chunk(new ChatCompletionChunk.Choice(choice, Delta.EMPTY, null, ChunkFormat.finishReason(reason)));
        }

        @Override
        public Object usage(CompletionUsage usage) {
            return new ChatCompletionChunk(header.id(), header.created(), header.model(), header.fingerprint(),
                    List.of(), usage);
        }

        private ChatCompletionChunk chunk(ChatCompletionChunk.Choice choice) {
            return new ChatCompletionChunk(header.id(), header.created(), header.model(), header.fingerprint(),
                    List.of(choice), null);
        }
    }
}
