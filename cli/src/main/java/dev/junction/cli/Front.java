package dev.junction.cli;

import dev.junction.router.capacity.ContractStore;
import dev.junction.router.capacity.InMemoryContractStore;
import dev.junction.router.SupplierRouter;
import dev.junction.server.OpenAiServer;

import java.util.Optional;

/**
 * What stands in front of the models on the public server: nothing (the default, for loopback use), or the business
 * edition ({@code serve --auth}: keys, limits, metering, audit on a database). It adds its interceptors and routes to
 * the server, and says where the router keeps its capacity contracts' counters.
 */
interface Front extends AutoCloseable {
    /** No authentication, no limits: what {@code serve} without {@code --auth} is. */
    Front OPEN = new Front() {
        @Override
        public void install(OpenAiServer.Builder builder, Optional<SupplierRouter> router) {
        }

        @Override
        public ContractStore contracts() {
            return new InMemoryContractStore();
        }

        @Override
        public void reloaded(java.util.Map<String, ?> detail) {
        }

        @Override
        public void close() {
        }
    };

    /** Adds what it needs to the public server before it starts (prices come from the router, when routing). */
    void install(OpenAiServer.Builder builder, Optional<SupplierRouter> router);

    /** Where the router keeps its capacity contracts' counters (shared between nodes when on a database). */
    ContractStore contracts();

    /** The routing configuration was reloaded (audited by the business edition). */
    void reloaded(java.util.Map<String, ?> detail);

    /** Flushes what it holds (the usage not yet written) and lets go of the database. */
    @Override
    void close();
}
