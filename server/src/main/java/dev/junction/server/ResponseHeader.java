package dev.junction.server;

/** What every chunk of one response repeats: its id, when it was created (seconds), the model, the fingerprint. */
record ResponseHeader(String id, long created, String model, String fingerprint) {
    static ResponseHeader start(String idPrefix, String model, ServerMetrics metrics, ServerConfig config) {
        return new ResponseHeader(ResponseIds.next(idPrefix), metrics.now().getEpochSecond(), model,
                config.systemFingerprint());
    }
}
