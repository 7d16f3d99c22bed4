package dev.junction.router.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the latest good version of a configuration file applied. Once {@link #start started} it looks at the file's
 * identity, modification time and size at an interval (polling also sees editors that replace the file rather than
 * write it) and, when they changed and the bytes did too, loads it; {@link #reloadNow()} loads it on demand (for
 * SIGHUP) and is the one that also picks up a changed key file behind unchanged bytes.
 *
 * <p>A load that fails keeps the running configuration and hands the errors to the listener (which logs them); a load
 * that gives the configuration already running changes nothing and tells nobody. Loads are serialised, and the
 * listener is called on the thread that loaded, in order.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    /** {@link ConfigLoader#load(Path, byte[])} fits. */
    @FunctionalInterface
    public interface Loader {
        RouterConfig load(Path file, byte[] content) throws ConfigException;
    }

    public interface Listener {
        /** A new configuration replaces the running one. */
        void applied(RouterConfig config);

        /** The file changed but cannot be used; the running configuration stays. */
        void rejected(ConfigException error);
    }

    /** What one load did. */
    public sealed interface Outcome {
        record Applied(RouterConfig config) implements Outcome {
        }

        /** The file gives the configuration already running (or its bytes were already read). */
        record Unchanged() implements Outcome {
        }

        record Rejected(ConfigException error) implements Outcome {
        }
    }

    private record Stamp(Object fileKey, FileTime modified, long size) {
    }

    private final Path file;
    private final Loader loader;
    private final Listener listener;
    private RouterConfig current;
    private byte[] lastRead;
    private Optional<Stamp> seen;
    private ScheduledExecutorService poller;

    /**
     * Loads the file once, so that a watcher always has a running configuration.
     *
     * @throws ConfigException when the file cannot be used to start with
     */
    public ConfigWatcher(Path file, Loader loader, Listener listener) throws ConfigException {
        this.file = Objects.requireNonNull(file, "file");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.seen = stamp();
        this.lastRead = read();
        this.current = loader.load(file, lastRead);
    }

    public synchronized RouterConfig current() {
        return current;
    }

    /** Looks at the file every interval, on a daemon thread, until {@link #close()}. */
    public synchronized void start(Duration interval) {
        if (poller != null) throw new IllegalStateException("already started");
        poller = Executors.newSingleThreadScheduledExecutor(r ->
                Thread.ofPlatform().daemon().name("config-watcher").unstarted(r));
        long ms = interval.toMillis();
        poller.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                log.error("config watcher: the listener failed on {}", file, e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Loads the file now, whatever its time stamp and bytes. */
    public synchronized Outcome reloadNow() {
        seen = stamp();
        try {
            return apply(read());
        } catch (ConfigException unreadable) {
            return reject(unreadable);
        }
    }

    /** One look at the file, as the poller does: loads only when its stamp and bytes both changed. */
    synchronized Outcome poll() {
        Optional<Stamp> now = stamp();
        if (now.equals(seen)) return new Outcome.Unchanged();
        seen = now;
        byte[] content;
        try {
            content = read();
        } catch (ConfigException unreadable) {
            return reject(unreadable);
        }
        return Arrays.equals(content, lastRead) ? new Outcome.Unchanged() : apply(content);
    }

    private Outcome apply(byte[] content) {
        lastRead = content;
        RouterConfig config;
        try {
            config = loader.load(file, content);
        } catch (ConfigException e) {
            return reject(e);
        }
        if (config.equals(current)) return new Outcome.Unchanged();
        current = config;
        listener.applied(config);
        return new Outcome.Applied(config);
    }

    private Outcome reject(ConfigException e) {
        listener.rejected(e);
        return new Outcome.Rejected(e);
    }

    private byte[] read() throws ConfigException {
        return ConfigLoader.read(file);
    }

    private Optional<Stamp> stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new Stamp(a.fileKey(), a.lastModifiedTime(), a.size()));
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /** Stops looking at the file; waits briefly for a load in progress. */
    @Override
    public void close() {
        ScheduledExecutorService p;
        synchronized (this) {
            p = poller;
        }
        if (p == null) return;
        p.shutdownNow();
        try {
            p.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
