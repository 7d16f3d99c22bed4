package dev.junction.testkit.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@link FakeUpstream} would send for a request if nothing went wrong; a {@link Fault} decides how much of it goes. */
sealed interface Answer {
    String DONE = "[DONE]";

    /** Extra headers, e.g. the echo header. */
    Map<String, String> headers();

    /** A complete JSON body. */
    record Plain(int status, String body, Map<String, String> headers) implements Answer {}

    /** A server-sent event stream: the payloads of its {@code data:} lines in order, {@link #DONE} last. */
    record Stream(List<String> events, Map<String, String> headers) implements Answer {
        public Stream {
            events = List.copyOf(events);
            if (events.isEmpty() || !events.getLast().equals(DONE)) throw new IllegalArgumentException("a stream ends with [DONE]");
        }

        /** How many events may go before a fault that strikes "after k": all of them except {@code [DONE]}. */
        int capped(int k) {
            return Math.min(k, events.size() - 1);
        }

        /** This stream with a broken event put after the first {@code k}. */
        Stream withBrokenEvent(int k, String broken) {
            List<String> changed = new ArrayList<>(events);
            changed.add(capped(k), broken);
            return new Stream(changed, headers);
        }
    }
}
