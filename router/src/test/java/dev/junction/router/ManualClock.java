package dev.junction.router;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves, safe to move and read from many threads. It never moves backwards. */
public final class ManualClock implements InstantSource {
    private final AtomicLong millis;

    public ManualClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    public void advance(Duration by) {
        if (by.isNegative()) throw new IllegalArgumentException("a manual clock never moves backwards");
        millis.addAndGet(by.toMillis());
    }

    public void advanceMillis(long by) {
        advance(Duration.ofMillis(by));
    }
}
