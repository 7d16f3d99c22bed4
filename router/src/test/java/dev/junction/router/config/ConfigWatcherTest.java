package dev.junction.router.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ConfigWatcherTest {
    private static final String PORT_1 = "server: {port: 1}\n";
    private static final String PORT_2 = "server: {port: 2}\n";

    @TempDir
    Path dir;

    /** What the watcher told its listener, in order. */
    private final BlockingQueue<Object> told = new LinkedBlockingQueue<>();
    private final ConfigWatcher.Listener listener = new ConfigWatcher.Listener() {
        @Override
        public void applied(RouterConfig config) {
            told.add(config);
        }

        @Override
        public void rejected(ConfigException error) {
            told.add(error);
        }
    };

    private ConfigWatcher watcher(Path file) throws ConfigException {
        return new ConfigWatcher(file, new ConfigLoader(Map.of())::load, listener);
    }

    private static String port(RouterConfig config) {
        return config.server().get("port");
    }

    @Test
    void aChangedFileIsLoadedAndApplied() throws Exception {
        Path file = Files.writeString(dir.resolve("junction.yaml"), PORT_1);
        try (ConfigWatcher w = watcher(file)) {
            assertThat(port(w.current())).isEqualTo("1");

            Files.writeString(file, PORT_2);
            assertThat(w.poll()).isInstanceOfSatisfying(ConfigWatcher.Outcome.Applied.class,
                    a -> assertThat(port(a.config())).isEqualTo("2"));

            assertThat(port(w.current())).isEqualTo("2");
            assertThat(told).singleElement().isEqualTo(w.current());
        }
    }

    @Test
    void aBrokenChangeKeepsTheRunningConfigurationAndReportsWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("junction.yaml"), PORT_1);
        try (ConfigWatcher w = watcher(file)) {
            Files.writeString(file, "server: {port: -2}\n");

            assertThat(w.poll()).isInstanceOf(ConfigWatcher.Outcome.Rejected.class);
            assertThat(port(w.current())).isEqualTo("1");
            assertThat(told).singleElement().isInstanceOfSatisfying(ConfigException.class, e ->
                    assertThat(e).hasMessage(file + ":1:16: server.port: must be at least 0, got -2"));

            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            assertThat(w.poll()).as("the same broken bytes again").isInstanceOf(ConfigWatcher.Outcome.Unchanged.class);
            assertThat(w.reloadNow()).as("asked by hand, it tries again").isInstanceOf(ConfigWatcher.Outcome.Rejected.class);

            Files.writeString(file, PORT_2);
            assertThat(w.poll()).isInstanceOf(ConfigWatcher.Outcome.Applied.class);
            assertThat(port(w.current())).isEqualTo("2");
        }
    }

    @Test
    void theSameBytesDoNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("junction.yaml"), PORT_1);
        try (ConfigWatcher w = watcher(file)) {
            RouterConfig first = w.current();
            assertThat(w.poll()).as("nothing touched").isInstanceOf(ConfigWatcher.Outcome.Unchanged.class);

            Files.writeString(file, PORT_1);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            assertThat(w.poll()).isInstanceOf(ConfigWatcher.Outcome.Unchanged.class);
            assertThat(w.reloadNow()).isInstanceOf(ConfigWatcher.Outcome.Unchanged.class);

            assertThat(w.current()).isSameAs(first);
            assertThat(told).isEmpty();
        }
    }

    @Test
    void reloadNowPicksUpARotatedKeyFileBehindUnchangedBytes() throws Exception {
        Path key = Files.writeString(dir.resolve("up.key"), "old-key");
        Path file = Files.writeString(dir.resolve("junction.yaml"), """
                suppliers: {up: {kind: openai, url: 'http://h', api_key_file: up.key}}
                models: {m: {deployments: [{supplier: up}]}}
                """);
        try (ConfigWatcher w = watcher(file)) {
            Files.writeString(key, "new-key");

            assertThat(w.poll()).as("the file itself did not change").isInstanceOf(ConfigWatcher.Outcome.Unchanged.class);
            assertThat(w.reloadNow()).isInstanceOf(ConfigWatcher.Outcome.Applied.class);

            var up = (SupplierConfig.OpenAi) w.current().suppliers().get("up");
            assertThat(up.apiKey()).contains(new Secret("new-key"));
        }
    }

    @Test
    void aFileThatGoesAwayKeepsTheRunningConfigurationAndIsReportedOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("junction.yaml"), PORT_1);
        try (ConfigWatcher w = watcher(file)) {
            Files.delete(file);

            assertThat(w.poll()).isInstanceOf(ConfigWatcher.Outcome.Rejected.class);
            assertThat(w.poll()).isInstanceOf(ConfigWatcher.Outcome.Unchanged.class);
            assertThat(port(w.current())).isEqualTo("1");
            assertThat(told).singleElement().isInstanceOfSatisfying(ConfigException.class, e ->
                    assertThat(e).hasMessage(file + ": cannot read the file (NoSuchFileException)"));

            Files.writeString(file, PORT_2);
            assertThat(w.poll()).isInstanceOf(ConfigWatcher.Outcome.Applied.class);
        }
    }

    @Test
    void aBrokenFileToStartWithIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("junction.yaml"), "server: {prot: 1}\n");
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> watcher(file))
                .withMessageContaining("unknown option 'prot' (did you mean 'port'?)");
    }

    @Test
    void onceStartedItNoticesAReplacedFileByItself() throws Exception {
        Path file = Files.writeString(dir.resolve("junction.yaml"), PORT_1);
        try (ConfigWatcher w = watcher(file)) {
            w.start(Duration.ofMillis(20));
            Path next = Files.writeString(dir.resolve("junction.yaml.new"), PORT_2);
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);

            Object first = told.poll(30, TimeUnit.SECONDS);

            assertThat(first).as("applied within the deadline").isInstanceOf(RouterConfig.class);
            assertThat(port((RouterConfig) first)).isEqualTo("2");
            assertThat(port(w.current())).isEqualTo("2");
        }
    }
}
