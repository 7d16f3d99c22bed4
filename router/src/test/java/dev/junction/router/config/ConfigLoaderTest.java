package dev.junction.router.config;

import dev.junction.router.config.ModelConfig.Deployment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static dev.junction.router.config.Configs.errors;
import static dev.junction.router.config.Configs.load;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigLoaderTest {
    private static final Map<String, String> ENV = Map.of("TRN_KEY", "trn-secret-1", "AZURE_KEY", "azure-secret-2");

    @Test
    void theIssuesExampleFileReadsIntoTheseRecords() throws Exception {
        Path file = Path.of(ConfigLoaderTest.class.getResource("/junction.yaml").toURI());

        RouterConfig config = new ConfigLoader(ENV).load(file);

        var local = new SupplierConfig.Local("local", Map.of(
                "stories", new LocalModel.Embedded(),
                "llama", new LocalModel.GgufFile(Path.of("/models/Llama-3.2-1B-Instruct-Q4_K_M.gguf"))),
                Contract.UNLIMITED, Price.FREE, Map.of());
        var trainium = new SupplierConfig.OpenAi("trainium-east", URI.create("https://vllm.example.internal/v1"),
                Optional.of(new Secret("trn-secret-1")),
                new Contract(OptionalInt.of(64), OptionalInt.of(6000), OptionalLong.of(2_000_000)),
                new Price(0.10, 0.40), Map.of("region", "us-east", "chip", "trainium"),
                new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofSeconds(30),
                        Duration.ofSeconds(300)));
        var azure = new SupplierConfig.AzureOpenAi("azure-eu", URI.create("https://my-resource.openai.azure.com"),
                "2024-10-21", new Secret("azure-secret-2"), Contract.UNLIMITED, Price.FREE, Map.of(),
                Timeouts.DEFAULTS);
        var llama = new ModelConfig("llama-3.1-8b", Strategy.PRIORITY, List.of(
                new Deployment("trainium-east", "meta-llama/Llama-3.1-8B-Instruct", 1, 1),
                new Deployment("azure-eu", "my-llama-deployment", 2, 3),
                new Deployment("local", "llama", 3, 1)));
        assertThat(config).isEqualTo(new RouterConfig(Map.of("host", "127.0.0.1", "port", "8080"),
                Map.of("local", local, "trainium-east", trainium, "azure-eu", azure), Map.of("llama-3.1-8b", llama)));
        assertThat(config.suppliers().keySet()).containsExactly("local", "trainium-east", "azure-eu");
        assertThat(config.suppliers().get("local")).isInstanceOfSatisfying(SupplierConfig.Local.class,
                l -> assertThat(l.models().keySet()).containsExactly("stories", "llama"));
        assertThat(config.routes()).isTrue();
    }

    @Test
    void leftOutKeysTakeTheirDocumentedDefaults() throws Exception {
        RouterConfig config = load("""
                suppliers:
                  up: {kind: openai, url: "http://127.0.0.1:9000/v1/"}
                models:
                  m:
                    deployments: [{supplier: up}]
                """);

        var up = (SupplierConfig.OpenAi) config.suppliers().get("up");
        assertThat(up.url()).isEqualTo(URI.create("http://127.0.0.1:9000/v1"));
        assertThat(up.apiKey()).isEmpty();
        assertThat(up.contract()).isEqualTo(Contract.UNLIMITED);
        assertThat(up.price()).isEqualTo(Price.FREE);
        assertThat(up.labels()).isEmpty();
        assertThat(up.timeouts()).isEqualTo(Timeouts.DEFAULTS);
        assertThat(config.models().get("m")).isEqualTo(
                new ModelConfig("m", Strategy.PRIORITY, List.of(new Deployment("up", "m", 1, 1))));
        assertThat(config.server()).isEmpty();
    }

    @Test
    void everyStrategyIsReadByItsName() throws Exception {
        for (Strategy s : Strategy.values()) {
            RouterConfig config = load("suppliers: {up: {kind: openai, url: 'http://h'}}\n"
                    + "models: {m: {strategy: " + s.configName() + ", deployments: [{supplier: up}]}}\n");
            assertThat(config.models().get("m").strategy()).isEqualTo(s);
        }
    }

    @Test
    void aFileWithOnlyAServerSectionIsValidAndDoesNotRoute() throws Exception {
        RouterConfig config = load("server: {port: 9000}\n");

        assertThat(config.routes()).isFalse();
        assertThat(config.server()).containsExactly(Map.entry("port", "9000"));
        assertThat(config.suppliers()).isEmpty();
        assertThat(load("server: {}\n").routes()).isFalse();
    }

    @Test
    void anEmptyFileIsRefused() {
        String hint = "the file is empty: write a server: section, or suppliers: and models:";
        assertThat(errors("")).containsExactly("junction.yaml:1:1: " + hint);
        assertThat(errors("# only a comment\n")).containsExactly("junction.yaml:1:1: " + hint);
        assertThat(errors("{}\n")).containsExactly(
                "junction.yaml:1:1: nothing to configure: write a server: section, or suppliers: and models:");
    }

    @Test
    void suppliersWithoutModelsOrModelsWithoutSuppliersAreRefused() {
        assertThat(errors("""
                server: {port: 9000}
                suppliers:
                  up: {kind: openai, url: 'http://h'}
                """)).containsExactly("junction.yaml:2:1: suppliers: suppliers are declared but no models: "
                + "use them (models:), or leave both out");
        assertThat(errors("""
                models:
                  m:
                    deployments: [{supplier: up}]
                """)).containsExactly(
                "junction.yaml:3:30: models.m.deployments[0].supplier: unknown supplier 'up' (none are declared)");
    }

    @Test
    void relativeModelPathsStartAtTheFilesFolder() throws Exception {
        RouterConfig config = new ConfigLoader(Map.of()).load(Path.of("conf", "junction.yaml"), """
                suppliers:
                  here: {kind: local, models: {tiny: models/tiny.gguf, abs: /m/abs.gguf}}
                models:
                  tiny: {deployments: [{supplier: here}]}
                """.getBytes());

        var here = (SupplierConfig.Local) config.suppliers().get("here");
        assertThat(here.models()).containsExactly(
                Map.entry("tiny", new LocalModel.GgufFile(Path.of("conf").toAbsolutePath().resolve("models/tiny.gguf"))),
                Map.entry("abs", new LocalModel.GgufFile(Path.of("/m/abs.gguf"))));
    }

    @Test
    void aFileThatCannotBeReadSaysSo() {
        Path missing = Path.of("no-such-dir", "junction.yaml");
        var e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(Map.of()).load(missing));
        assertThat(e.getMessage()).isEqualTo(missing + ": cannot read the file (NoSuchFileException)");
    }
}
