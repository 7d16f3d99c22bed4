package dev.junction.testkit.upstream;

import java.util.List;
import java.util.Objects;

/**
 * A fixed answer for {@link FakeUpstream#answerWith}, for answers the generated text cannot give (tool calls, fields
 * of newer APIs): the whole JSON body of a plain answer, and the data of a streamed answer's events, to which
 * {@code [DONE]} is added. Sent as written, so a test can compare what its client got byte for byte.
 */
public record Canned(String body, List<String> events) {
    public Canned {
        Objects.requireNonNull(body);
        events = List.copyOf(events);
        if (events.contains(Answer.DONE)) throw new IllegalArgumentException("[DONE] is added; leave it out");
    }
}
