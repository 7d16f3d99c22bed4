package dev.junction.testkit.upstream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The answers of the fake upstream in the OpenAI wire format: which path gets what, and the JSON of completions,
 * stream chunks, model lists and errors, with the deterministic text and exact usage that {@link FakeUpstream}
 * describes.
 */
final class OpenAiAnswers {
    static final int MAX_TOKENS_LIMIT = 100_000;

    /** Which requests a reply belongs to, and so which fault schedule applies. */
    enum Traffic {
        /** Chat and text completions, OpenAI or Azure style. */
        COMPLETION,
        /** {@code GET /health} and {@code GET /v1/models}. */
        PROBE,
        /** Anything else (unknown paths, wrong methods): never faulted. */
        OTHER
    }

    record Reply(Traffic traffic, Answer answer) {}

    private enum Kind { CHAT, TEXT }

    /** What a completion request asks for. */
    private record Call(Kind kind, String model, boolean stream, boolean includeUsage, int maxTokens,
                        String finishReason, int promptTokens) {}

    private final List<String> models;
    private final int defaultMaxTokens;

    OpenAiAnswers(List<String> models, int defaultMaxTokens) {
        this.models = List.copyOf(models);
        this.defaultMaxTokens = defaultMaxTokens;
    }

    /**
     * The reply to {@code r}, the {@code sequence}-th request this upstream received; a completion gets {@code canned}
     * instead of the generated (or echoed) answer when there is one.
     */
    Reply reply(ReceivedRequest r, Echo echo, Optional<Canned> canned, long sequence) {
        String path = r.path();
        return switch (path) {
            case "/health" -> probe(r, new Answer.Plain(200, "{\"status\":\"ok\"}", Map.of()));
            case "/v1/models" -> probe(r, new Answer.Plain(200, modelList(), Map.of()));
            case "/v1/chat/completions" -> completion(r, Kind.CHAT, Optional.empty(), echo, canned, sequence);
            case "/v1/completions" -> completion(r, Kind.TEXT, Optional.empty(), echo, canned, sequence);
            default -> {
                Optional<String> deployment = r.azureDeployment();
                if (deployment.isEmpty()) yield other(404, "no route for " + r.method() + " " + path);
                if (r.query("api-version").isEmpty()) {
                    yield new Reply(Traffic.COMPLETION, errorAnswer(400, "the api-version query parameter is required"));
                }
                Kind kind = path.endsWith("/chat/completions") ? Kind.CHAT : Kind.TEXT;
                yield completion(r, kind, deployment, echo, canned, sequence);
            }
        };
    }

    /** An OpenAI-shaped error body. */
    static String errorBody(int status, String message) {
        String type = switch (status) {
            case 429 -> "requests";
            case 400, 401, 403, 404, 405, 413, 431 -> "invalid_request_error";
            default -> "server_error";
        };
        String code = switch (status) {
            case 429 -> "\"rate_limit_exceeded\"";
            case 401 -> "\"invalid_api_key\"";
            default -> "null";
        };
        return "{\"error\":{\"message\":" + Json.quote(message) + ",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + code + "}}";
    }

    static Answer.Plain errorAnswer(int status, String message) {
        return new Answer.Plain(status, errorBody(status, message), Map.of());
    }

    private static Reply probe(ReceivedRequest r, Answer.Plain answer) {
        if (!r.method().equals("GET")) return other(405, r.method() + " is not allowed on " + r.path());
        return new Reply(Traffic.PROBE, answer);
    }

    private static Reply other(int status, String message) {
        return new Reply(Traffic.OTHER, errorAnswer(status, message));
    }

    private Reply completion(ReceivedRequest r, Kind kind, Optional<String> deployment, Echo echo,
                             Optional<Canned> canned, long sequence) {
        if (!r.method().equals("POST")) return other(405, r.method() + " is not allowed on " + r.path());
        Call call;
        try {
            call = call(kind, Json.parse(r.bodyText()), deployment);
        } catch (IllegalArgumentException e) {
            return new Reply(Traffic.COMPLETION, errorAnswer(400, e.getMessage()));
        }
        Map<String, String> headers = echo == Echo.HEADER
                ? Map.of(FakeUpstream.ECHO_HEADER, Base64.getEncoder().encodeToString(r.body()))
                : Map.of();
        if (canned.isPresent()) return new Reply(Traffic.COMPLETION, cannedAnswer(canned.get(), call, headers));
        List<String> pieces = new ArrayList<>();
        String finishReason = call.finishReason();
        if (echo == Echo.CONTENT) {
            pieces.add(r.bodyText());
            finishReason = "stop";
        } else {
            for (int i = 0; i < call.maxTokens(); i++) pieces.add("tok" + i + " ");
        }
        String id = (kind == Kind.CHAT ? "chatcmpl-fake-" : "cmpl-fake-") + sequence;
        String head = "\"id\":\"" + id + "\",\"object\":\"%s\",\"created\":" + Instant.now().getEpochSecond()
                + ",\"model\":" + Json.quote(call.model());
        String usage = usage(call.promptTokens(), pieces.size());
        Answer answer = call.stream()
                ? stream(call, head, pieces, finishReason, usage, headers)
                : new Answer.Plain(200, plain(call, head, pieces, finishReason, usage), headers);
        return new Reply(Traffic.COMPLETION, answer);
    }

    private static Answer cannedAnswer(Canned canned, Call call, Map<String, String> headers) {
        if (!call.stream()) return new Answer.Plain(200, canned.body(), headers);
        List<String> events = new ArrayList<>(canned.events());
        events.add(Answer.DONE);
        return new Answer.Stream(events, headers);
    }

    private static String plain(Call call, String head, List<String> pieces, String finishReason, String usage) {
        String text = Json.quote(String.join("", pieces));
        String choice = call.kind() == Kind.CHAT
                ? "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + text + "},\"logprobs\":null,"
                        + "\"finish_reason\":\"" + finishReason + "\"}"
                : "{\"text\":" + text + ",\"index\":0,\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}";
        String object = call.kind() == Kind.CHAT ? "chat.completion" : "text_completion";
        return "{" + head.formatted(object) + ",\"choices\":[" + choice + "],\"usage\":" + usage + "}";
    }

    private static Answer.Stream stream(Call call, String head, List<String> pieces, String finishReason, String usage,
                                        Map<String, String> headers) {
        String object = call.kind() == Kind.CHAT ? "chat.completion.chunk" : "text_completion";
        String chunkHead = "{" + head.formatted(object) + ",\"choices\":[";
        // OpenAI sends "usage":null in every chunk but the usage chunk when usage was asked for
        String chunkTail = call.includeUsage() ? "],\"usage\":null}" : "]}";
        List<String> events = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            String text = Json.quote(pieces.get(i));
            String choice = call.kind() == Kind.CHAT
                    ? "{\"index\":0,\"delta\":{" + (i == 0 ? "\"role\":\"assistant\"," : "") + "\"content\":" + text
                            + "},\"logprobs\":null,\"finish_reason\":null}"
                    : "{\"text\":" + text + ",\"index\":0,\"logprobs\":null,\"finish_reason\":null}";
            events.add(chunkHead + choice + chunkTail);
        }
        String last = call.kind() == Kind.CHAT
                ? "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}"
                : "{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}";
        events.add(chunkHead + last + chunkTail);
        if (call.includeUsage()) events.add(chunkHead + "],\"usage\":" + usage + "}");
        events.add(Answer.DONE);
        return new Answer.Stream(events, headers);
    }

    private static String usage(int prompt, int completion) {
        return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (prompt + completion) + "}";
    }

    private String modelList() {
        return models.stream()
                .map(m -> "{\"id\":" + Json.quote(m) + ",\"object\":\"model\",\"created\":0,\"owned_by\":\"fake-upstream\"}")
                .collect(Collectors.joining(",", "{\"object\":\"list\",\"data\":[", "]}"));
    }

    private Call call(Kind kind, Object json, Optional<String> deployment) {
        if (!(json instanceof Map<?, ?> body)) throw new IllegalArgumentException("the body is not a JSON object");
        String model = deployment.orElseGet(() -> {
            if (!(body.get("model") instanceof String m)) throw new IllegalArgumentException("'model' is required");
            return m;
        });
        boolean stream = flag(body.get("stream"), "stream");
        boolean includeUsage = body.get("stream_options") instanceof Map<?, ?> options
                && flag(options.get("include_usage"), "stream_options.include_usage");
        Object limit = body.containsKey("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        int maxTokens = defaultMaxTokens;
        String finishReason = "stop";
        if (limit != null && limit != Json.NULL) {
            if (!(limit instanceof Long n) || n < 1 || n > MAX_TOKENS_LIMIT) {
                throw new IllegalArgumentException("max_tokens must be an integer from 1 to " + MAX_TOKENS_LIMIT);
            }
            maxTokens = n.intValue();
            finishReason = "length";
        }
        int promptTokens = kind == Kind.CHAT ? chatWords(body.get("messages")) : promptWords(body.get("prompt"));
        return new Call(kind, model, stream, includeUsage, maxTokens, finishReason, promptTokens);
    }

    private static boolean flag(Object value, String name) {
        if (value == null || value == Json.NULL) return false;
        if (value instanceof Boolean b) return b;
        throw new IllegalArgumentException("'" + name + "' must be a boolean");
    }

    private static int chatWords(Object messages) {
        if (!(messages instanceof List<?> list)) throw new IllegalArgumentException("'messages' must be an array");
        int words = 0;
        for (Object message : list) {
            if (!(message instanceof Map<?, ?> m)) throw new IllegalArgumentException("a message must be an object");
            Object content = m.get("content");
            if (content instanceof String s) {
                words += words(s);
            } else if (content instanceof List<?> parts) {
                for (Object part : parts) {
                    if (part instanceof Map<?, ?> p && "text".equals(p.get("type")) && p.get("text") instanceof String s) {
                        words += words(s);
                    }
                }
            }
        }
        return words;
    }

    private static int promptWords(Object prompt) {
        if (prompt instanceof String s) return words(s);
        if (prompt instanceof List<?> list && list.stream().allMatch(p -> p instanceof String)) {
            return list.stream().mapToInt(p -> words((String) p)).sum();
        }
        throw new IllegalArgumentException("'prompt' must be a string or an array of strings");
    }

    static int words(String s) {
        String stripped = s.strip();
        return stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
    }
}
