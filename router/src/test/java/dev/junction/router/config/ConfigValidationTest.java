package dev.junction.router.config;

import dev.junction.router.health.BreakerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.junction.router.config.Configs.errors;
import static dev.junction.router.config.Configs.withSupplier;
import static org.assertj.core.api.Assertions.assertThat;

/** Each rule of the file, with the exact line:column its error names. */
class ConfigValidationTest {
    private static final String SUPPLIERS = """
            suppliers:
              local: {kind: local, models: {stories: embedded}}
              trainium-east: {kind: openai, url: 'https://vllm.example/v1'}
              azure-eu: {kind: azure-openai, url: 'https://r.openai.azure.com', api_version: 2024-10-21, api_key: k}
            """;

    @Test
    void aDeploymentNamingAnUnknownSupplier() {
        assertThat(errors(SUPPLIERS + """
                models:
                  llama-3.1-8b:
                    deployments:
                      - {supplier: local, model: stories}
                      - {supplier: azure-west}
                """)).containsExactly("junction.yaml:9:20: models.llama-3.1-8b.deployments[1].supplier: "
                + "unknown supplier 'azure-west' (known: local, trainium-east, azure-eu)");
    }

    @Test
    void aMisspeltSupplierGetsADidYouMean() {
        assertThat(errors(SUPPLIERS + """
                models:
                  m:
                    deployments:
                      - supplier: trainium-est
                """)).containsExactly("junction.yaml:8:19: models.m.deployments[0].supplier: "
                + "unknown supplier 'trainium-est' (did you mean 'trainium-east'?)");
    }

    @Test
    void aLocalDeploymentNamingAModelTheLocalSupplierDoesNotHave() {
        assertThat(errors(SUPPLIERS + """
                models:
                  m:
                    deployments:
                      - {supplier: local, model: llama}
                  stories: {deployments: [{supplier: local}]}
                  other: {deployments: [{supplier: local}]}
                """)).containsExactly(
                "junction.yaml:8:34: models.m.deployments[0].model: supplier 'local' has no model 'llama' (it has: stories)",
                "junction.yaml:10:36: models.other.deployments[0].model: "
                        + "supplier 'local' has no model 'other' (it has: stories)");
    }

    @Test
    void unknownKeysAreRefusedWithADidYouMeanWhenClose() {
        assertThat(errors(withSupplier("""
                s:
                  kind: openai
                  url: http://h
                  max_concurent: 3
                  colour: blue
                """))).containsExactly(
                "junction.yaml:5:5: suppliers.s.max_concurent: unknown key 'max_concurent' (did you mean 'max_concurrent'?)",
                "junction.yaml:6:5: suppliers.s.colour: unknown key 'colour' (known: kind, url, api_key, api_key_file, "
                        + "timeouts, max_concurrent, rpm, tpm, price, labels, breaker)");
        assertThat(errors("server: {}\nmodel:\n  m: {}\n")).containsExactly(
                "junction.yaml:2:1: model: unknown key 'model' (did you mean 'models'?)");
    }

    @Test
    void aKeyOfAnotherKindIsUnknownForThisKind() {
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://h', api_version: 2024-10-21}"))).containsExactly(
                "junction.yaml:2:38: suppliers.s.api_version: unknown key 'api_version' (known: kind, url, api_key, "
                        + "api_key_file, timeouts, max_concurrent, rpm, tpm, price, labels, breaker)");
    }

    @Test
    void wrongTypes() {
        assertThat(errors(withSupplier("""
                s:
                  kind: openai
                  url: {host: h}
                  labels: [a, b]
                  max_concurrent: many
                  price: {input: cheap, output: 1}
                  timeouts: 5s
                """))).containsExactly(
                "junction.yaml:4:10: suppliers.s.url: expected a single value, got a mapping",
                "junction.yaml:5:13: suppliers.s.labels: expected a mapping, got a list",
                "junction.yaml:6:21: suppliers.s.max_concurrent: expected a whole number, got 'many'",
                "junction.yaml:7:20: suppliers.s.price.input: expected a number, got 'cheap'",
                "junction.yaml:8:15: suppliers.s.timeouts: expected a mapping, got a single value");
        assertThat(errors(SUPPLIERS + "models:\n  m:\n    deployments: {supplier: local}\n")).containsExactly(
                "junction.yaml:7:18: models.m.deployments: expected a list, got a mapping");
        assertThat(errors("- server\n")).containsExactly("junction.yaml:1:1: expected a mapping, got a list");
        assertThat(errors(withSupplier("s: {kind: openai, url: }"))).containsExactly(
                "junction.yaml:2:25: suppliers.s.url: has no value: give one, or leave the key out");
    }

    @Test
    void missingRequiredKeys() {
        assertThat(errors(withSupplier("s: {kind: openai}"))).containsExactly(
                "junction.yaml:2:3: suppliers.s: missing url");
        assertThat(errors(withSupplier("s: {kind: azure-openai, url: 'https://r.openai.azure.com'}"))).containsExactly(
                "junction.yaml:2:3: suppliers.s: missing api_key or api_key_file",
                "junction.yaml:2:3: suppliers.s: missing api_version");
        assertThat(errors(withSupplier("s: {url: 'http://h'}"))).containsExactly(
                "junction.yaml:2:3: suppliers.s: missing kind (local, openai, azure-openai)");
        assertThat(errors(withSupplier("s: {kind: local}"))).containsExactly(
                "junction.yaml:2:3: suppliers.s: missing models");
        assertThat(errors(withSupplier("s: {kind: local, models: {}}"))).containsExactly(
                "junction.yaml:2:28: suppliers.s.models: a local supplier needs at least one model");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://h', price: {input: 1}}"))).containsExactly(
                "junction.yaml:2:38: suppliers.s.price: missing output");
        assertThat(errors(SUPPLIERS + "models:\n  m: {strategy: cost}\n  n: {deployments: []}\n  o:\n    - {supplier: local}\n"))
                .containsExactly(
                        "junction.yaml:6:3: models.m: missing deployments",
                        "junction.yaml:7:20: models.n.deployments: a model needs at least one deployment",
                        "junction.yaml:9:5: models.o: expected a mapping, got a list");
        assertThat(errors(SUPPLIERS + "models:\n  m:\n    deployments: [{model: x}]\n")).containsExactly(
                "junction.yaml:7:19: models.m.deployments[0]: missing supplier");
        assertThat(errors(SUPPLIERS + "models: {}\n")).containsExactly(
                "junction.yaml:5:9: models: declare at least one model, or leave models out");
    }

    @Test
    void negativeAndZeroNumbers() {
        assertThat(errors(withSupplier("""
                s:
                  kind: openai
                  url: http://h
                  max_concurrent: -1
                  rpm: 0
                  tpm: 2_000_000
                  price: {input: -0.5, output: 1e-1}
                """))).containsExactly(
                "junction.yaml:5:21: suppliers.s.max_concurrent: must be at least 1, got -1",
                "junction.yaml:6:10: suppliers.s.rpm: must be at least 1, got 0",
                "junction.yaml:8:20: suppliers.s.price.input: must not be negative, got -0.5");
        assertThat(errors(SUPPLIERS + """
                models:
                  m:
                    deployments:
                      - {supplier: local, model: stories, tier: 0}
                      - {supplier: trainium-east, weight: 0}
                      - {supplier: azure-eu, weight: -2}
                """)).containsExactly(
                "junction.yaml:8:49: models.m.deployments[0].tier: must be at least 1, got 0",
                "junction.yaml:9:43: models.m.deployments[1].weight: must be at least 1, got 0",
                "junction.yaml:10:38: models.m.deployments[2].weight: must be at least 1, got -2");
    }

    @Test
    void aBreakerSectionSetsWhatItNamesAndTheRestKeepsTheRoutersDefaults() throws Exception {
        assertThat(breakerOf("s: {kind: openai, url: 'http://h', breaker: {failures: 3, cool_down: 1s, "
                + "max_cool_down: 4s}}")).isEqualTo(new BreakerSettings(3, Duration.ofSeconds(1), Duration.ofSeconds(4)));
        assertThat(breakerOf("s: {kind: openai, url: 'http://h'}")).isEqualTo(BreakerSettings.DEFAULTS);
        assertThat(breakerOf("s: {kind: local, models: {a: embedded}, breaker: {cool_down: 10m}}")).isEqualTo(
                new BreakerSettings(5, Duration.ofMinutes(10), Duration.ofMinutes(10)));
        BreakerConfig router = BreakerConfig.defaults();
        assertThat(BreakerSettings.DEFAULTS).isEqualTo(new BreakerSettings(router.consecutiveFailures(),
                router.coolDown(), router.maxCoolDown()));
    }

    @Test
    void aBreakerSectionWithBadValues() {
        assertThat(errors(withSupplier("""
                s:
                  kind: openai
                  url: http://h
                  breaker: {failures: 0, colldown: 1s}
                """))).containsExactly(
                "junction.yaml:5:25: suppliers.s.breaker.failures: must be at least 1, got 0",
                "junction.yaml:5:28: suppliers.s.breaker.colldown: unknown key 'colldown' (did you mean 'cool_down'?)");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://h', breaker: {cool_down: 2s, max_cool_down: 1s}}")))
                .containsExactly("junction.yaml:2:78: suppliers.s.breaker.max_cool_down: must not be shorter than cool_down");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://h', breaker: {max_cool_down: 5s}}")))
                .containsExactly("junction.yaml:2:63: suppliers.s.breaker.max_cool_down: must not be shorter than "
                        + "cool_down (10s when left out)");
    }

    private static BreakerSettings breakerOf(String supplierLines) throws ConfigException {
        return Configs.load(withSupplier(supplierLines).replace("supplier: s}", "supplier: s, model: a}"))
                .suppliers().get("s").breaker();
    }

    @Test
    void aBadStrategyName() {
        assertThat(errors(SUPPLIERS + "models:\n  m: {strategy: prioirty, deployments: [{supplier: local, model: stories}]}\n"
                + "  n: {strategy: round-robin, deployments: [{supplier: local, model: stories}]}\n")).containsExactly(
                "junction.yaml:6:17: models.m.strategy: unknown strategy 'prioirty' (did you mean 'priority'?)",
                "junction.yaml:7:17: models.n.strategy: unknown strategy 'round-robin' "
                        + "(known: priority, weighted, least-busy, latency, cost, prefix)");
        assertThat(errors(withSupplier("s: {kind: open-ai, url: 'http://h'}"))).containsExactly(
                "junction.yaml:2:13: suppliers.s.kind: unknown supplier kind 'open-ai' (did you mean 'openai'?)");
    }

    @Test
    void urlsThatDoNotParseOrAreNotHttp() {
        assertThat(errors(withSupplier("a: {kind: openai, url: 'http://exa mple/v1'}").replace("supplier: s", "supplier: a")))
                .containsExactly("junction.yaml:2:26: suppliers.a.url: not a URL: Illegal character in authority");
        assertThat(errors(withSupplier("s: {kind: openai, url: vllm.example/v1}"))).containsExactly(
                "junction.yaml:2:26: suppliers.s.url: must start with http:// or https://, got 'vllm.example/v1'");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'ftp://h/v1'}"))).containsExactly(
                "junction.yaml:2:26: suppliers.s.url: must start with http:// or https://, got 'ftp://h/v1'");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'https:///v1'}"))).containsExactly(
                "junction.yaml:2:26: suppliers.s.url: has no host: 'https:///v1'");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'https://h/v1?x=1'}"))).containsExactly(
                "junction.yaml:2:26: suppliers.s.url: must not have a query (?…) or fragment (#…)");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'https://user:pw@h/v1'}"))).containsExactly(
                "junction.yaml:2:26: suppliers.s.url: must not carry credentials: give them as api_key or api_key_file");
    }

    @Test
    void duplicateKeys() {
        assertThat(errors("""
                server: {port: 1}
                suppliers:
                  s: {kind: openai, url: 'http://h', rpm: 1, rpm: 2}
                  s: {kind: local, models: {a: embedded}}
                models:
                  m: {deployments: [{supplier: s}]}
                """)).containsExactly(
                "junction.yaml:3:46: suppliers.s.rpm: duplicate key (first at 3:38)",
                "junction.yaml:4:3: suppliers.s: duplicate key (first at 3:3)");
    }

    @Test
    void theSameDeploymentTwiceAndASecondLocalSupplier() {
        assertThat(errors(SUPPLIERS + """
                  again: {kind: local, models: {stories: embedded}}
                models:
                  m:
                    deployments:
                      - {supplier: trainium-east, model: x}
                      - {supplier: trainium-east, model: x, tier: 2}
                """)).containsExactly(
                "junction.yaml:5:17: suppliers.again.kind: only one local supplier (the in-process engine) can be "
                        + "declared; 'local' is one",
                "junction.yaml:10:9: models.m.deployments[1]: the same supplier and model as models.m.deployments[0]");
    }

    @Test
    void badNames() {
        assertThat(errors("""
                suppliers:
                  "my supplier": {kind: openai, url: 'http://h'}
                models:
                  "a b": {deployments: [{supplier: my supplier}]}
                """)).containsExactly(
                "junction.yaml:2:3: suppliers.my supplier: a supplier name is letters, digits, '.', '_' and '-', "
                        + "starting with a letter or digit",
                "junction.yaml:4:3: models.a b: a model name must not be empty or contain spaces");
    }

    @Test
    void everyErrorOfTheFileIsReportedInFileOrder() {
        var e = Configs.failure("""
                suppliers:
                  a: {kind: openai}
                  b: {kind: openai, url: 'http://h', rpm: -3}
                models:
                  m: {strategy: fastest, deployments: [{supplier: c}]}
                """, java.util.Map.of());

        assertThat(e.getMessage().lines()).containsExactly(
                "junction.yaml:2:3: suppliers.a: missing url",
                "junction.yaml:3:43: suppliers.b.rpm: must be at least 1, got -3",
                "junction.yaml:5:17: models.m.strategy: unknown strategy 'fastest' "
                        + "(known: priority, weighted, least-busy, latency, cost, prefix)",
                "junction.yaml:5:51: models.m.deployments[0].supplier: unknown supplier 'c' (known: a, b)");
        assertThat(e.errors()).hasSize(4).first().satisfies(first -> {
            assertThat(first.at()).contains(new ConfigError.Position(2, 3));
            assertThat(first.path()).isEqualTo("suppliers.a");
            assertThat(first.message()).isEqualTo("missing url");
        });
    }

    @Test
    void yamlSyntaxErrorsNameTheirPlace() {
        assertThat(errors("suppliers:\n  a: [1, 2\n")).containsExactly(
                "junction.yaml:3:1: YAML syntax: expected ',' or ']', but got <stream end>");
    }

    @Test
    void aliasesAndASecondDocumentAreRefused() {
        assertThat(errors("server: {host: &h 127.0.0.1, port: 1}\nsuppliers: {}\nx: *h\n")).contains(
                "junction.yaml:3:4: x: aliases (*h) are not supported: write the value out");
        assertThat(errors("server: {port: 1}\n---\nserver: {port: 2}\n")).containsExactly(
                "junction.yaml:3:1: a second YAML document ('---') is not supported: one file, one document");
    }
}
