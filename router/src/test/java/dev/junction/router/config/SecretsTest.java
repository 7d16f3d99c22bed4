package dev.junction.router.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static dev.junction.router.config.Configs.errors;
import static dev.junction.router.config.Configs.failure;
import static dev.junction.router.config.Configs.load;
import static dev.junction.router.config.Configs.withSupplier;
import static org.assertj.core.api.Assertions.assertThat;

/** Environment variables, key files, and that a key is never shown. */
class SecretsTest {
    private static final String KEY = "sk-live-0123456789";

    @Test
    void variablesAreReplacedInAnyValue() throws Exception {
        RouterConfig config = load(withSupplier("""
                s:
                  kind: openai
                  url: https://${HOST}/v1
                  api_key: ${KEY}
                  rpm: ${RPM}
                  labels: {region: "${REGION}-1", note: "costs $$5, written $${NOT_A_VAR}"}
                """), Map.of("HOST", "vllm.internal", "KEY", KEY, "RPM", "600", "REGION", "eu"));

        var s = (SupplierConfig.OpenAi) config.suppliers().get("s");
        assertThat(s.url()).hasToString("https://vllm.internal/v1");
        assertThat(s.apiKey()).contains(new Secret(KEY));
        assertThat(s.contract().rpm()).hasValue(600);
        assertThat(s.labels()).containsEntry("region", "eu-1").containsEntry("note", "costs $$5, written ${NOT_A_VAR}");
    }

    @Test
    void anUnsetVariableIsAnErrorNamingItAndTheKey() {
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://h', api_key: '${TRN_KEY}'}"))).containsExactly(
                "junction.yaml:2:47: suppliers.s.api_key: environment variable TRN_KEY is not set");
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://${HOST'}"))).containsExactly(
                "junction.yaml:2:26: suppliers.s.url: malformed variable reference at character 8: "
                        + "write ${NAME} (letters, digits, _), or $${ for a literal ${");
    }

    @Test
    void theLoaderTakesALookupFunctionToo() throws Exception {
        RouterConfig config = new ConfigLoader(name -> name.equals("PORT") ? "1234" : null)
                .load(Configs.FILE, "server: {port: '${PORT}'}\n".getBytes());
        assertThat(config.server()).containsEntry("port", "1234");
    }

    @Test
    void aKeyFileIsReadTrimmedFromTheConfigurationsFolder(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/azure.key"), "  " + KEY + "\n");
        String yaml = """
                suppliers:
                  az: {kind: azure-openai, url: 'https://r.openai.azure.com', api_version: 2024-10-21, api_key_file: keys/azure.key}
                models:
                  m: {deployments: [{supplier: az}]}
                """;

        RouterConfig config = new ConfigLoader(Map.of()).load(dir.resolve("junction.yaml"), yaml.getBytes());

        assertThat(((SupplierConfig.AzureOpenAi) config.suppliers().get("az")).apiKey().reveal()).isEqualTo(KEY);
    }

    @Test
    void aKeyFileThatIsMissingOrEmptyOrGivenWithAKeyIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("empty.key"), "\n");
        String yaml = """
                suppliers:
                  a: {kind: openai, url: 'http://h', api_key_file: missing.key}
                  b: {kind: openai, url: 'http://h', api_key_file: empty.key}
                  c: {kind: openai, url: 'http://h', api_key: k, api_key_file: empty.key}
                  d: {kind: openai, url: 'http://h', api_key: ''}
                models:
                  m: {deployments: [{supplier: a}, {supplier: b}, {supplier: c}, {supplier: d}]}
                """;
        Path file = dir.resolve("junction.yaml");

        var e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(Map.of()).load(file, yaml.getBytes()));

        assertThat(e.getMessage().lines()).containsExactly(
                file + ":2:52: suppliers.a.api_key_file: cannot read key file " + dir.resolve("missing.key")
                        + " (NoSuchFileException)",
                file + ":3:52: suppliers.b.api_key_file: key file " + dir.resolve("empty.key") + " is empty",
                file + ":4:50: suppliers.c.api_key_file: give api_key or api_key_file, not both",
                file + ":5:47: suppliers.d.api_key: is empty");
    }

    @Test
    void aSecretIsNeverPrinted() throws Exception {
        assertThat(new Secret(KEY)).hasToString("Secret[***]");
        RouterConfig config = load(withSupplier("s: {kind: openai, url: 'http://h', api_key: '${K}'}"), Map.of("K", KEY));
        assertThat(config.toString()).doesNotContain(KEY).contains("Secret[***]");
        assertThat(Optional.of(config).toString()).doesNotContain(KEY);
    }

    @Test
    void noErrorShowsAKeyEvenWhenItsLineIsBroken() {
        for (String yaml : new String[]{
                withSupplier("s: {kind: openai, url: 'http://h', api_key: " + KEY + ", rpm: -1}"),
                withSupplier("s: {kind: openai, url: 'http://h', api_key: {k: " + KEY + "}}"),
                "suppliers:\n  s: {kind: openai, api_key: \"" + KEY + "\" oops}\n",
                "suppliers:\n  s: [api_key: " + KEY + "\n"}) {
            ConfigException e = failure(yaml, Map.of());
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).as(yaml).doesNotContain(KEY);
            assertThat(e.getCause()).isNull();
        }
    }
}
