package dev.junction.router.capacity;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Keeps each contract's counters in this process, changed under the lock of that contract's state. */
public final class InMemoryContractStore implements ContractStore {
    private final ConcurrentHashMap<String, ContractState> states = new ConcurrentHashMap<>();

    @Override
    public <R> R update(String key, Function<? super ContractState, ? extends R> change) {
        Objects.requireNonNull(change, "change");
        ContractState state = states.computeIfAbsent(Objects.requireNonNull(key, "key"), k -> new ContractState());
        synchronized (state) {
            return change.apply(state);
        }
    }
}
