package dev.junction.router.upstream;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseParserTest {
    final List<String> events = new ArrayList<>();
    final SseParser parser = new SseParser(events::add, 64);

    void feed(String text) {
        parser.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eventsEndAtAnEmptyLineWhateverTheLineEndings() {
        feed("data: {\"a\":1}\n\ndata: two\r\n\r\ndata:three\r\rdata: [DONE]\n\n");
        assertThat(events).containsExactly("{\"a\":1}", "two", "three", "[DONE]");
        assertThat(parser.midEvent()).isFalse();
    }

    @Test
    void dataLinesOfOneEventAreJoinedAndOtherFieldsAndCommentsSkipped() {
        feed(": keep-alive\nevent: message\nid: 7\ndata: first\ndata:  second\nretry: 10\n\n");
        assertThat(events).containsExactly("first\n second");
    }

    @Test
    void anyPiecesGiveTheSameEventsAndACharacterSplitBetweenPiecesIsReadWhole() {
        String stream = "data: {\"text\":\"é€😀\"}\r\n\r\ndata: b\n\n";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        Random random = new Random(1);
        for (int round = 0; round < 200; round++) {
            events.clear();
            SseParser p = new SseParser(events::add, 64);
            for (int i = 0; i < bytes.length; ) {
                int n = Math.min(bytes.length - i, 1 + random.nextInt(4));
                p.feed(ByteBuffer.wrap(bytes, i, n));
                i += n;
            }
            assertThat(events).containsExactly("{\"text\":\"é€😀\"}", "b");
        }
    }

    @Test
    void anUnfinishedEventIsReportedAndAnOverlongLineRefused() {
        feed("data: half");
        assertThat(events).isEmpty();
        assertThat(parser.midEvent()).isTrue();
        assertThatThrownBy(() -> feed("x".repeat(100))).isInstanceOf(SseParser.MalformedStreamException.class);
    }
}
