package dev.junction.router.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of the {@code server:} section: {@code ./junction serve}'s long option names (those the properties file
 * took), each with the kind of value it takes. YAML may write a dash as an underscore ({@code max_queue}); the
 * section is handed on with the option's own name ({@code max-queue}) and the value as text. {@code config},
 * {@code help} and {@code version} are not settings and are refused. Keep this list in step with {@code ServeCommand}.
 */
public final class ServerOptions {
    /** What a key's value must be. */
    public enum Kind {
        TEXT,
        /** Not negative; handed on as digits. */
        WHOLE_NUMBER,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A repeatable option: one value or a list, handed on comma-separated. */
        LIST
    }

    private static final Map<String, Kind> OPTIONS = inOrder(List.of(
            Map.entry("model", Kind.LIST),
            Map.entry("host", Kind.TEXT),
            Map.entry("port", Kind.WHOLE_NUMBER),
            Map.entry("max-running", Kind.WHOLE_NUMBER),
            Map.entry("max-queue", Kind.WHOLE_NUMBER),
            Map.entry("queue-timeout", Kind.WHOLE_NUMBER),
            Map.entry("ctx", Kind.WHOLE_NUMBER),
            Map.entry("kv-blocks", Kind.WHOLE_NUMBER),
            Map.entry("token-budget", Kind.WHOLE_NUMBER),
            Map.entry("cache-type", Kind.TEXT),
            Map.entry("threads", Kind.WHOLE_NUMBER),
            Map.entry("mmap", Kind.BOOLEAN),
            Map.entry("grace", Kind.WHOLE_NUMBER)));

    private ServerOptions() {
    }

    private static Map<String, Kind> inOrder(List<Map.Entry<String, Kind>> entries) {
        Map<String, Kind> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.getKey(), e.getValue()));
        return OrderedMaps.copyOf(map);
    }

    /** The accepted option names. */
    public static Set<String> names() {
        return OPTIONS.keySet();
    }

    /** {@code max_queue} → {@code max-queue}. */
    public static String normalise(String key) {
        return key.replace('_', '-');
    }

    static Optional<Kind> kind(String option) {
        return Optional.ofNullable(OPTIONS.get(option));
    }
}
