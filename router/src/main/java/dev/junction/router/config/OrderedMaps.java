package dev.junction.router.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps read from the file keep the file's order (suppliers, models, labels are listed as written). */
final class OrderedMaps {
    private OrderedMaps() {
    }

    /** An unmodifiable copy in the same order. */
    static <K, V> Map<K, V> copyOf(Map<K, V> map) {
        return Collections.unmodifiableSequencedMap(new LinkedHashMap<>(map));
    }
}
