package dev.junction.engine.model;

/** Told how far loading a model's weights has come; called from the loading thread. */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (done, total) -> { };

    void update(long bytesDone, long bytesTotal);
}
