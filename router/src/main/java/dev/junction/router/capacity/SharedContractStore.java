package dev.junction.router.capacity;

import java.util.Objects;
import java.util.function.Function;

/**
 * Capacity contracts whose counters live in {@link StateCells} shared by several router nodes, so a contract's
 * limits hold across all of them instead of multiplying by their number. Each change reads the contract's state,
 * applies the operation and writes it back in one atomic update of its cell: one database transaction per
 * reservation and one per settlement.
 */
public final class SharedContractStore implements ContractStore {
    private final StateCells cells;
    private final String namespace;

    /** @param namespace prefixes every cell's key ({@code router.contract.}), so other users of the cells never clash */
    public SharedContractStore(StateCells cells, String namespace) {
        this.cells = Objects.requireNonNull(cells, "cells");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
    }

    @Override
    public <R> R update(String key, Function<? super ContractState, ? extends R> change) {
        Objects.requireNonNull(change, "change");
        return cells.update(namespace + key, bytes -> {
            ContractState state = bytes == null ? new ContractState() : ContractState.decode(bytes);
            R result = change.apply(state);
            return new StateCells.Change<>(state.encode(), result);
        });
    }
}
