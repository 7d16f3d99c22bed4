package dev.junction.server;

import java.util.Objects;

/**
 * Where and how the server listens. The models it serves are not configured here: they are whatever the service
 * lists.
 *
 * @param host              the address to bind ({@code 0.0.0.0} for every interface, {@code 127.0.0.1} for this
 *                          machine only)
 * @param port              the port; 0 picks a free one ({@link OpenAiServer#port()} tells which)
 * @param maxRequestBytes   the largest request body accepted (larger ones get 413); long conversations are big
 * @param systemFingerprint reported in every completion; change it when the serving configuration changes in a way
 *                          that changes outputs
 */
public record ServerConfig(String host, int port, int maxRequestBytes, String systemFingerprint) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 8 << 20;
    public static final String DEFAULT_FINGERPRINT = "fp_junction";
    /** Bodies are read into memory whole; nothing an OpenAI client sends comes near this. */
    public static final int MAX_REQUEST_BYTES_LIMIT = 1 << 30;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(systemFingerprint, "systemFingerprint");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (maxRequestBytes < 1 || maxRequestBytes > MAX_REQUEST_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxRequestBytes must be in 1.." + MAX_REQUEST_BYTES_LIMIT);
        }
    }

    /** Loopback, port 8080, 8 MiB bodies. */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_FINGERPRINT);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, maxRequestBytes, systemFingerprint);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, maxRequestBytes, systemFingerprint);
    }

    public ServerConfig withMaxRequestBytes(int bytes) {
        return new ServerConfig(host, port, bytes, systemFingerprint);
    }

    public ServerConfig withSystemFingerprint(String fingerprint) {
        return new ServerConfig(host, port, maxRequestBytes, fingerprint);
    }
}
