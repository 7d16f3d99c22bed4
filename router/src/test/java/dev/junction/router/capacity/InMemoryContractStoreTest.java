package dev.junction.router.capacity;

class InMemoryContractStoreTest extends AbstractContractStoreTest {
    @Override
    protected ContractStore newStore() {
        return new InMemoryContractStore();
    }
}
