package dev.junction.engine.chat.reasoning;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.tokenizer.StreamingDecoder;
import dev.junction.engine.tokenizer.Tokenizer;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parsers fed as a server would feed them: gpt-oss's tokens one at a time through the o200k_harmony vocabulary
 * and a {@link StreamingDecoder} that renders no control tokens (the message markers are user-defined, so they
 * come out as text; {@code <|return|>} and {@code <|call|>} end generation and are not fed).
 */
class HarmonyTokenStreamTest {

    private static Tokenizer o200k() {
        try (GgufFile f = GgufFile.open(TestModels.file("vocab/ggml-vocab-gpt-4o.gguf"))) {
            return Tokenizer.fromGguf(f.metadata());
        }
    }

    @Test
    void tokenByTokenThroughTheDecoder() {
        Tokenizer tok = o200k();
        String generated = "<|channel|>analysis<|message|>The user wants the weather in Zürich; call the tool."
                + "<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json"
                + "<|message|>{\"city\":\"Zürich\",\"unit\":\"°C\"}<|call|>";
        int[] ids = tok.encode(generated, false, true);
        StreamingDecoder decoder = new StreamingDecoder(tok);
        HarmonyParser parser = new HarmonyParser();
        List<ReasoningEvent> events = new ArrayList<>();
        for (int id : ids) {
            if (tok.isEndOfGeneration(id)) break;
            events.addAll(parser.feed(decoder.next(id)));
        }
        events.addAll(parser.feed(decoder.flush()));
        events.addAll(parser.finish());
        ParsedOutput out = ParsedOutput.of(events);
        assertThat(out.reasoning()).isEqualTo("The user wants the weather in Zürich; call the tool.");
        assertThat(out.content()).isEmpty();
        assertThat(out.toolCalls()).hasSize(1);
        ReasoningEvent.ToolCall call = out.toolCalls().getFirst();
        assertThat(call.recipient()).isEqualTo("functions.get_weather");
        assertThat(call.contentType()).isEqualTo("json");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Zürich\",\"unit\":\"°C\"}");
        assertThat(call.complete()).as("generation stopped at <|call|>, before the parser saw it").isFalse();
    }
}
