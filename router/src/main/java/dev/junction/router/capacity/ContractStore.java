package dev.junction.router.capacity;

import java.util.function.Function;

/**
 * Where the counters of capacity contracts live, one {@link ContractState} per contract key (a deployment). The
 * store only keeps them and makes each change atomic; the rules are the state's. This edition keeps them in memory
 * ({@link InMemoryContractStore}); a store shared between router nodes (a database) implements the same contract,
 * so that limits hold across nodes instead of multiplying by their number.
 */
public interface ContractStore {

    /**
     * Applies {@code change} to the state of contract {@code key} (a fresh one the first time) and returns its
     * result, atomically with respect to every other change of that key. A store that compares and swaps may run
     * {@code change} more than once, on a fresh copy each time, so it must act on nothing but the state it is given.
     */
    <R> R update(String key, Function<? super ContractState, ? extends R> change);
}
