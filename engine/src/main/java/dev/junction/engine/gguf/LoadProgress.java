package dev.junction.engine.gguf;

/** Told how many bytes of a long read or write (loading or writing a model) are done; called from the working thread. */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (done, total) -> { };

    void update(long bytesDone, long bytesTotal);
}
