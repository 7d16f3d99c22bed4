package dev.junction.router.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.junction.router.config.ConfigError.Position;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML document as a tree that remembers where each key and value stands in the file, read token by token with
 * Jackson's YAML parser. Every scalar is kept as the text written (numbers and booleans too): the schema decides what
 * a value must be. Refused while reading: duplicate keys, aliases ({@code *name}) and a second document.
 */
final class YamlTree {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    sealed interface Node {
        Position at();

        /** How an error message names this kind of value. */
        String kind();
    }

    record Scalar(String text, Position at) implements Node {
        public String kind() {
            return "a single value";
        }
    }

    /** A key written with no value ({@code key:}) or {@code null} / {@code ~}. */
    record Null(Position at) implements Node {
        public String kind() {
            return "nothing";
        }
    }

    record Entry(String key, Position keyAt, Node value) {
    }

    /** Entries in file order. */
    record Mapping(Map<String, Entry> entries, Position at) implements Node {
        Mapping {
            entries = OrderedMaps.copyOf(entries);
        }

        public String kind() {
            return "a mapping";
        }
    }

    record Sequence(List<Node> items, Position at) implements Node {
        Sequence {
            items = List.copyOf(items);
        }

        public String kind() {
            return "a list";
        }
    }

    private final JsonParser parser;
    private final Problems problems;

    private YamlTree(JsonParser parser, Problems problems) {
        this.parser = parser;
        this.problems = problems;
    }

    /** The document's root, or empty for an empty document (or one that does not parse: then problems says why). */
    static Optional<Node> parse(byte[] content, Problems problems) {
        try (JsonParser parser = FACTORY.createParser(content)) {
            YamlTree tree = new YamlTree(parser, problems);
            if (parser.nextToken() == null) return Optional.empty();
            Node root = tree.node("");
            if (parser.nextToken() != null) {
                problems.add(tree.here(), "", "a second YAML document ('---') is not supported: one file, one document");
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            syntaxError(e, problems);
            return Optional.empty();
        } catch (IOException e) {
            problems.addUnplaced("cannot read: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Reads the value whose first token is the current one; path names it in errors. */
    private Node node(String path) throws IOException {
        Position at = here();
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> mapping(path, at);
            case START_ARRAY -> sequence(path, at);
            case VALUE_NULL -> new Null(at);
            default -> {
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    problems.add(at, path, "aliases (*" + parser.getText() + ") are not supported: write the value out");
                }
                yield new Scalar(parser.getText(), at);
            }
        };
    }

    private Mapping mapping(String path, Position at) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            Position keyAt = here();
            parser.nextToken();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            Node value = node(keyPath);
            Entry first = entries.get(key);
            if (first != null) {
                problems.add(keyAt, keyPath, "duplicate key (first at " + first.keyAt() + ")");
            } else {
                entries.put(key, new Entry(key, keyAt, value));
            }
        }
        return new Mapping(entries, at);
    }

    private Sequence sequence(String path, Position at) throws IOException {
        List<Node> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            items.add(node(path + "[" + items.size() + "]"));
        }
        return new Sequence(items, at);
    }

    private Position here() {
        JsonLocation l = parser.currentTokenLocation();
        return new Position(l.getLineNr(), l.getColumnNr());
    }

    /**
     * The parser's own problem and place, without its excerpt of the offending line (which may hold a key) and
     * without keeping the exception (its message has that excerpt).
     */
    private static void syntaxError(JsonProcessingException e, Problems problems) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            var mark = yaml.getProblemMark();
            problems.add(new Position(mark.getLine() + 1, mark.getColumn() + 1), "",
                    "YAML syntax: " + yaml.getProblem());
        } else {
            JsonLocation l = e.getLocation();
            Position at = l == null ? new Position(1, 1) : new Position(Math.max(l.getLineNr(), 1), Math.max(l.getColumnNr(), 1));
            problems.add(at, "", "YAML syntax: " + e.getOriginalMessage().lines().findFirst().orElse("not valid YAML"));
        }
    }
}
