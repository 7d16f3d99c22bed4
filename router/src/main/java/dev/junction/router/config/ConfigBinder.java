package dev.junction.router.config;

import dev.junction.router.config.ConfigError.Position;
import dev.junction.router.config.ModelConfig.Deployment;
import dev.junction.router.config.YamlTree.Entry;
import dev.junction.router.config.YamlTree.Node;
import dev.junction.router.config.YamlTree.Sequence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema of the file: turns the YAML tree into a {@link RouterConfig} and is the one place where its rules are
 * checked (records only hold what passed). Reads on after an error, so that one run reports them all.
 */
final class ConfigBinder {
    private static final List<String> ROOT_KEYS = List.of("server", "suppliers", "models");
    private static final List<String> TERMS_KEYS = List.of("max_concurrent", "rpm", "tpm", "price", "labels",
            "breaker");
    private static final Map<String, List<String>> KIND_KEYS = Map.of(
            "local", keys("kind", "models"),
            "openai", keys("kind", "url", "api_key", "api_key_file", "timeouts"),
            "azure-openai", keys("kind", "url", "api_version", "api_key", "api_key_file", "timeouts"));
    private static final List<String> KINDS = List.of("local", "openai", "azure-openai");
    private static final List<String> PRICE_KEYS = List.of("input", "output");
    private static final List<String> TIMEOUT_KEYS = List.of("connect", "first_token", "idle", "total");
    private static final List<String> BREAKER_KEYS = List.of("failures", "cool_down", "max_cool_down");
    private static final List<String> MODEL_KEYS = List.of("strategy", "deployments");
    private static final List<String> DEPLOYMENT_KEYS = List.of("supplier", "model", "tier", "weight");
    /** Supplier names appear in headers and metric labels. */
    private static final Pattern SUPPLIER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern MODEL_NAME = Pattern.compile("\\S+");

    private final Values values;
    private final Path folder;
    /** Every supplier name written, also of those with errors (so their deployments are not reported again). */
    private final Set<String> declared = new LinkedHashSet<>();
    private final Map<String, SupplierConfig> suppliers = new LinkedHashMap<>();

    /** @param folder where relative paths (GGUF files, key files) start: the configuration file's folder */
    ConfigBinder(Values values, Path folder) {
        this.values = values;
        this.folder = folder;
    }

    private static List<String> keys(String... kindKeys) {
        List<String> all = new ArrayList<>(List.of(kindKeys));
        all.addAll(TERMS_KEYS);
        return List.copyOf(all);
    }

    /** The configuration, or empty when the root is not even a mapping (the problems say what is wrong). */
    Optional<RouterConfig> bind(Node node) {
        Optional<Section> opened = Section.open(values, node, "", node.at(), ROOT_KEYS);
        if (opened.isEmpty()) return Optional.empty();
        Section root = opened.get();
        if (!root.has("server") && !root.has("suppliers") && !root.has("models")) {
            values.problem(node, "", "nothing to configure: write a server: section, or suppliers: and models:");
        }
        root.entry("suppliers").filter(e -> !root.has("models")).ifPresent(e -> values.problems.add(e.keyAt(),
                "suppliers", "suppliers are declared but no models: use them (models:), or leave both out"));
        Map<String, String> server = root.optional("server", this::server).orElse(Map.of());
        root.optional("suppliers", values::mapping).ifPresent(m -> m.entries().values().forEach(this::supplier));
        Map<String, ModelConfig> models = root.optional("models", this::models).orElse(Map.of());
        return Optional.of(new RouterConfig(server, suppliers, models));
    }

    private Optional<Map<String, String>> server(Node node, String path) {
        return values.mapping(node, path).map(m -> {
            Map<String, String> options = new LinkedHashMap<>();
            Map<String, Position> firstAt = new LinkedHashMap<>();
            for (Entry e : m.entries().values()) {
                String option = ServerOptions.normalise(e.key());
                String keyPath = path + "." + e.key();
                Optional<ServerOptions.Kind> kind = ServerOptions.kind(option);
                if (kind.isEmpty()) {
                    values.problems.add(e.keyAt(), keyPath, "unknown option '" + e.key() + "' "
                            + Suggestions.hint(option, ServerOptions.names()));
                } else if (firstAt.containsKey(option)) {
                    values.problems.add(e.keyAt(), keyPath, "the same option as the key at " + firstAt.get(option)
                            + " ('_' and '-' are the same in option names)");
                } else {
                    firstAt.put(option, e.keyAt());
                    serverValue(kind.get(), e.value(), keyPath).ifPresent(v -> options.put(option, v));
                }
            }
            return options;
        });
    }

    private Optional<String> serverValue(ServerOptions.Kind kind, Node node, String path) {
        return switch (kind) {
            case TEXT -> values.text(node, path);
            case WHOLE_NUMBER -> values.wholeNumber(node, path, 0).map(String::valueOf);
            case BOOLEAN -> values.bool(node, path).map(String::valueOf);
            case LIST -> {
                if (!(node instanceof Sequence list)) yield values.text(node, path);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < list.items().size(); i++) {
                    values.text(list.items().get(i), path + "[" + i + "]").ifPresent(items::add);
                }
                yield Optional.of(String.join(",", items));
            }
        };
    }

    private void supplier(Entry e) {
        String name = e.key();
        String path = "suppliers." + name;
        declared.add(name);
        if (!SUPPLIER_NAME.matcher(name).matches()) {
            values.problems.add(e.keyAt(), path, "a supplier name is letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit");
        }
        Optional<String> kind = values.mapping(e.value(), path).flatMap(m -> {
            Entry kindEntry = m.entries().get("kind");
            if (kindEntry != null) {
                return values.oneOf(kindEntry.value(), path + ".kind", "supplier kind",
                        k -> Optional.of(k).filter(KINDS::contains), KINDS);
            }
            values.problems.add(e.keyAt(), path, "missing kind (" + String.join(", ", KINDS) + ")");
            return Optional.empty();
        });
        if (kind.isEmpty()) return;
        Section s = Section.open(values, e.value(), path, e.keyAt(), KIND_KEYS.get(kind.get())).orElseThrow();
        Contract contract = contract(s);
        Price price = s.section("price", PRICE_KEYS).flatMap(this::price).orElse(Price.FREE);
        Map<String, String> labels = s.optional("labels", this::labels).orElse(Map.of());
        BreakerSettings breaker = breaker(s);
        Optional<SupplierConfig> supplier = switch (kind.get()) {
            case "local" -> {
                boolean first = firstLocal(s);
                Optional<Map<String, LocalModel>> models = s.required("models", this::localModels);
                yield models.filter(m -> first).map(m -> new SupplierConfig.Local(name, m, contract, price, labels,
                        breaker));
            }
            case "openai" -> {
                Optional<Secret> key = apiKey(s);
                Timeouts timeouts = timeouts(s);
                yield s.required("url", values::url).map(url ->
                        new SupplierConfig.OpenAi(name, url, key, contract, price, labels, timeouts, breaker));
            }
            case "azure-openai" -> {
                if (!s.has("api_key") && !s.has("api_key_file")) {
                    values.problems.add(e.keyAt(), path, "missing api_key or api_key_file");
                }
                Optional<Secret> key = apiKey(s);
                Optional<String> version = s.required("api_version", values::name);
                Timeouts timeouts = timeouts(s);
                yield s.required("url", values::url).flatMap(url -> version.flatMap(v -> key.map(k ->
                        new SupplierConfig.AzureOpenAi(name, url, v, k, contract, price, labels, timeouts,
                                breaker))));
            }
            default -> throw new IllegalStateException("kind " + kind.get());
        };
        supplier.ifPresent(c -> suppliers.put(name, c));
    }

    private Contract contract(Section s) {
        OptionalInt maxConcurrent = s.optional("max_concurrent", (n, p) -> values.count(n, p, 1))
                .map(OptionalInt::of).orElse(OptionalInt.empty());
        OptionalInt rpm = s.optional("rpm", (n, p) -> values.count(n, p, 1))
                .map(OptionalInt::of).orElse(OptionalInt.empty());
        OptionalLong tpm = s.optional("tpm", (n, p) -> values.wholeNumber(n, p, 1))
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        return new Contract(maxConcurrent, rpm, tpm);
    }

    /** Whether this is the first local supplier (there is one in-process engine); reports a second. */
    private boolean firstLocal(Section s) {
        Optional<String> other = suppliers.values().stream()
                .filter(c -> c instanceof SupplierConfig.Local).map(SupplierConfig::name).findFirst();
        other.ifPresent(o -> values.problems.add(s.entry("kind").orElseThrow().value().at(), s.pathOf("kind"),
                "only one local supplier (the in-process engine) can be declared; '" + o + "' is one"));
        return other.isEmpty();
    }

    private Optional<Map<String, LocalModel>> localModels(Node node, String path) {
        return values.mapping(node, path).flatMap(m -> {
            if (m.entries().isEmpty()) return values.problem(node, path, "a local supplier needs at least one model");
            Map<String, LocalModel> models = new LinkedHashMap<>();
            for (Entry e : m.entries().values()) {
                String modelPath = path + "." + e.key();
                values.name(e.value(), modelPath).flatMap(t -> localModel(t.strip(), e.value(), modelPath))
                        .ifPresent(model -> models.put(e.key(), model));
            }
            return Optional.of(models);
        });
    }

    private Optional<LocalModel> localModel(String text, Node node, String path) {
        if (text.equals("embedded")) return Optional.of(new LocalModel.Embedded());
        return resolve(text, node, path).map(LocalModel.GgufFile::new);
    }

    private Optional<Price> price(Section s) {
        Optional<Double> input = s.required("input", values::amount);
        Optional<Double> output = s.required("output", values::amount);
        return input.flatMap(i -> output.map(o -> new Price(i, o)));
    }

    private Optional<Map<String, String>> labels(Node node, String path) {
        return values.mapping(node, path).map(m -> {
            Map<String, String> labels = new LinkedHashMap<>();
            m.entries().values().forEach(e -> values.text(e.value(), path + "." + e.key())
                    .ifPresent(v -> labels.put(e.key(), v)));
            return labels;
        });
    }

    private Timeouts timeouts(Section supplier) {
        Timeouts d = Timeouts.DEFAULTS;
        return supplier.section("timeouts", TIMEOUT_KEYS).map(s -> new Timeouts(
                s.optional("connect", values::duration).orElse(d.connect()),
                s.optional("first_token", values::duration).orElse(d.firstToken()),
                s.optional("idle", values::duration).orElse(d.idle()),
                s.optional("total", values::duration).orElse(d.total()))).orElse(d);
    }

    /**
     * The {@code breaker:} section; {@code max_cool_down} left out is the larger of its default and
     * {@code cool_down}.
     */
    private BreakerSettings breaker(Section supplier) {
        BreakerSettings d = BreakerSettings.DEFAULTS;
        return supplier.section("breaker", BREAKER_KEYS).map(s -> {
            int failures = s.optional("failures", (n, p) -> values.count(n, p, 1)).orElse(d.failures());
            Duration coolDown = s.optional("cool_down", values::duration).orElse(d.coolDown());
            Optional<Duration> maxCoolDown = s.optional("max_cool_down", values::duration);
            if (maxCoolDown.isPresent() && maxCoolDown.get().compareTo(coolDown) < 0) {
                values.problem(s.entry("max_cool_down").orElseThrow().value(), s.pathOf("max_cool_down"),
                        "must not be shorter than cool_down" + (s.has("cool_down") ? ""
                                : " (" + d.coolDown().toSeconds() + "s when left out)"));
                maxCoolDown = Optional.of(coolDown);
            }
            return new BreakerSettings(failures, coolDown, maxCoolDown.orElse(
                    coolDown.compareTo(d.maxCoolDown()) > 0 ? coolDown : d.maxCoolDown()));
        }).orElse(d);
    }

    /** From {@code api_key} or {@code api_key_file} (read whole, trimmed); empty when neither is given or on error. */
    private Optional<Secret> apiKey(Section s) {
        if (s.has("api_key") && s.has("api_key_file")) {
            values.problems.add(s.entry("api_key_file").orElseThrow().keyAt(), s.pathOf("api_key_file"),
                    "give api_key or api_key_file, not both");
            return Optional.empty();
        }
        if (s.has("api_key")) {
            return s.optional("api_key", (n, p) -> values.text(n, p).flatMap(t -> secret(t, n, p, "is empty")));
        }
        return s.optional("api_key_file", (n, p) -> values.name(n, p).flatMap(t -> resolve(t.strip(), n, p))
                .flatMap(file -> {
                    try {
                        return secret(Files.readString(file), n, p, "key file " + file + " is empty");
                    } catch (IOException e) {
                        return values.problem(n, p, "cannot read key file " + file + " ("
                                + e.getClass().getSimpleName() + ")");
                    }
                }));
    }

    private Optional<Secret> secret(String text, Node node, String path, String whenEmpty) {
        String key = text.strip();
        return key.isEmpty() ? values.problem(node, path, whenEmpty) : Optional.of(new Secret(key));
    }

    private Optional<Path> resolve(String text, Node node, String path) {
        try {
            return Optional.of(folder.resolve(text));
        } catch (InvalidPathException e) {
            return values.problem(node, path, "not a path: " + e.getReason());
        }
    }

    private Optional<Map<String, ModelConfig>> models(Node node, String path) {
        return values.mapping(node, path).flatMap(m -> {
            if (m.entries().isEmpty()) return values.problem(node, path, "declare at least one model, or leave models out");
            Map<String, ModelConfig> models = new LinkedHashMap<>();
            for (Entry e : m.entries().values()) model(e).ifPresent(c -> models.put(e.key(), c));
            return Optional.of(models);
        });
    }

    private Optional<ModelConfig> model(Entry e) {
        String name = e.key();
        String path = "models." + name;
        if (!MODEL_NAME.matcher(name).matches()) {
            values.problems.add(e.keyAt(), path, "a model name must not be empty or contain spaces");
        }
        return Section.open(values, e.value(), path, e.keyAt(), MODEL_KEYS).flatMap(s -> {
            Strategy strategy = s.optional("strategy", (n, p) -> values.oneOf(n, p, "strategy",
                    Strategy::byConfigName, Strategy.configNames())).orElse(Strategy.PRIORITY);
            return s.required("deployments", (n, p) -> deployments(n, p, name))
                    .map(deployments -> new ModelConfig(name, strategy, deployments));
        });
    }

    private Optional<List<Deployment>> deployments(Node node, String path, String publicName) {
        return values.sequence(node, path).flatMap(list -> {
            if (list.items().isEmpty()) return values.problem(node, path, "a model needs at least one deployment");
            List<Deployment> deployments = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                Node item = list.items().get(i);
                String itemPath = path + "[" + i + "]";
                Section.open(values, item, itemPath, item.at(), DEPLOYMENT_KEYS)
                        .flatMap(s -> deployment(s, publicName))
                        .ifPresent(d -> {
                            int first = indexOfSame(deployments, d);
                            if (first >= 0) {
                                values.problem(item, itemPath, "the same supplier and model as " + path + "[" + first + "]");
                            }
                            deployments.add(d);
                        });
            }
            return Optional.of(deployments);
        });
    }

    private static int indexOfSame(List<Deployment> earlier, Deployment d) {
        for (int i = 0; i < earlier.size(); i++) {
            if (earlier.get(i).supplier().equals(d.supplier()) && earlier.get(i).model().equals(d.model())) return i;
        }
        return -1;
    }

    private Optional<Deployment> deployment(Section s, String publicName) {
        Optional<String> supplier = s.required("supplier", values::name).map(String::strip).filter(name -> {
            if (declared.contains(name)) return true;
            values.problem(s.entry("supplier").orElseThrow().value(), s.pathOf("supplier"),
                    "unknown supplier '" + name + "' " + Suggestions.hint(name, declared));
            return false;
        });
        Optional<String> model = s.has("model") ? s.optional("model", values::name).map(String::strip)
                : Optional.of(publicName);
        int tier = s.optional("tier", (n, p) -> values.count(n, p, 1)).orElse(1);
        int weight = s.optional("weight", (n, p) -> values.count(n, p, 1)).orElse(1);
        return supplier.flatMap(sup -> model.filter(m -> hasModel(s, sup, m))
                .map(m -> new Deployment(sup, m, tier, weight)));
    }

    /** A local supplier serves only its own models; a remote one is asked for any name. */
    private boolean hasModel(Section s, String supplier, String model) {
        if (!(suppliers.get(supplier) instanceof SupplierConfig.Local local) || local.models().containsKey(model)) {
            return true;
        }
        Node at = s.entry("model").or(() -> s.entry("supplier")).orElseThrow().value();
        values.problem(at, s.pathOf("model"), "supplier '" + supplier + "' has no model '" + model + "' (it has: "
                + String.join(", ", local.models().keySet()) + ")");
        return false;
    }
}
