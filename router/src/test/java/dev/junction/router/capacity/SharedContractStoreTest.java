package dev.junction.router.capacity;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The contract suite over {@link SharedContractStore}: every operation decodes the state from bytes and encodes it
 * back, as it does over the database, here over cells kept in this process with compare-and-swap (so a conflicting
 * change runs again, as the interface allows).
 */
class SharedContractStoreTest extends AbstractContractStoreTest {
    /** Cells in a map, each update a compare-and-swap on the cell's current bytes. */
    static final class MapCells implements StateCells {
        private final ConcurrentHashMap<String, byte[]> cells = new ConcurrentHashMap<>();
        private static final byte[] ABSENT = new byte[0];

        @Override
        public <R> R update(String key, Function<byte[], Change<R>> change) {
            while (true) {
                byte[] before = cells.getOrDefault(key, ABSENT);
                Change<R> c = change.apply(before == ABSENT ? null : before);
                boolean swapped = before == ABSENT ? cells.putIfAbsent(key, c.bytes()) == null
                        : cells.replace(key, before, c.bytes());
                if (swapped) return c.result();
            }
        }
    }

    @Override
    protected ContractStore newStore() {
        return new SharedContractStore(new MapCells(), "router.contract.");
    }
}
