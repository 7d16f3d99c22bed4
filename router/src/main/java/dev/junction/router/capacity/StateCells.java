package dev.junction.router.capacity;

import java.util.function.Function;

/**
 * Named cells of bytes that several processes change atomically — a table in the database the business edition
 * shares between nodes. The router knows only this interface; {@code cli} hands it one backed by the database.
 */
public interface StateCells {
    /** The new bytes of a cell and what the change answers. */
    record Change<R>(byte[] bytes, R result) {
    }

    /**
     * Reads cell {@code key} (null when it does not exist yet), applies {@code change} and writes the bytes it
     * returns, atomically with respect to every other update of that cell in any process; returns the change's
     * result. May run {@code change} more than once (on a conflict), each time on what is stored then.
     */
    <R> R update(String key, Function<byte[], Change<R>> change);
}
