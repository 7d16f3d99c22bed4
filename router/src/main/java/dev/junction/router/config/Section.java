package dev.junction.router.config;

import dev.junction.router.config.ConfigError.Position;
import dev.junction.router.config.YamlTree.Entry;
import dev.junction.router.config.YamlTree.Mapping;
import dev.junction.router.config.YamlTree.Node;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A YAML mapping read against a fixed list of keys: a key not in the list is reported when the section is opened
 * (with a "did you mean"), a required key that is missing when it is read. Reads delegate to {@link Values}.
 */
final class Section {
    private final Values values;
    private final Mapping mapping;
    private final String path;
    private final Position at;
    private final List<String> keys;

    private Section(Values values, Mapping mapping, String path, Position at, List<String> keys) {
        this.values = values;
        this.mapping = mapping;
        this.path = path;
        this.at = at;
        this.keys = keys;
        for (Entry e : mapping.entries().values()) {
            if (!keys.contains(e.key())) {
                values.problems.add(e.keyAt(), pathOf(e.key()),
                        "unknown key '" + e.key() + "' " + Suggestions.hint(e.key(), keys));
            }
        }
    }

    /**
     * The node as a section with these keys, or empty (reported) when it is not a mapping.
     *
     * @param at where a missing key is reported: the key that introduced this section, or the list item
     */
    static Optional<Section> open(Values values, Node node, String path, Position at, List<String> keys) {
        return values.mapping(node, path).map(m -> new Section(values, m, path, at, keys));
    }

    String path() {
        return path;
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return entry(key).isPresent();
    }

    Optional<Entry> entry(String key) {
        if (!keys.contains(key)) throw new IllegalArgumentException(key + " is not one of " + keys);
        return Optional.ofNullable(mapping.entries().get(key));
    }

    /** The value of an optional key, read by one of {@link Values}' methods (given its node and path). */
    <T> Optional<T> optional(String key, BiFunction<Node, String, Optional<T>> read) {
        return entry(key).flatMap(e -> read.apply(e.value(), pathOf(key)));
    }

    /** As {@link #optional}, but a missing key is an error. */
    <T> Optional<T> required(String key, BiFunction<Node, String, Optional<T>> read) {
        if (!has(key)) {
            values.problems.add(at, path, "missing " + key);
            return Optional.empty();
        }
        return optional(key, read);
    }

    /** A nested section with its own keys. */
    Optional<Section> section(String key, List<String> nestedKeys) {
        return entry(key).flatMap(e -> open(values, e.value(), pathOf(key), e.keyAt(), nestedKeys));
    }
}
