package dev.junction.cli;

import dev.junction.gateway.Gateway;
import dev.junction.gateway.GatewaySettings;
import dev.junction.gateway.db.SharedCells;
import dev.junction.gateway.limit.Pricing;
import dev.junction.router.SupplierRouter;
import dev.junction.router.capacity.ContractStore;
import dev.junction.router.capacity.SharedContractStore;
import dev.junction.router.capacity.StateCells;
import dev.junction.server.OpenAiServer;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The business edition in front of the server ({@code serve --auth}): the gateway's interceptor and routes, prices
 * from the router when routing, and the router's capacity contracts counted on the gateway's database so that
 * several nodes share them.
 */
final class GatewayFront implements Front {
    private final Gateway gateway;
    GatewayFront(Gateway gateway) {
        this.gateway = gateway;
    }

    static GatewayFront open(GatewaySettings settings) {
        return new GatewayFront(Gateway.open(settings, Clock.systemUTC()));
    }

    Gateway gateway() {
        return gateway;
    }

    @Override
    public void install(OpenAiServer.Builder builder, Optional<SupplierRouter> router) {
        gateway.install(builder, router.<Pricing>map(RouterPricing::new).orElse(Pricing.FREE));
    }

    @Override
    public ContractStore contracts() {
        SharedCells cells = gateway.cells();
        return new SharedContractStore(new StateCells() {
            @Override
            public <R> R update(String key, Function<byte[], Change<R>> change) {
                return cells.update(key, before -> {
                    Change<R> c = change.apply(before);
                    return new SharedCells.Written<>(c.bytes(), c.result());
                });
            }
        }, "router.contract.");
    }

    @Override
    public void reloaded(Map<String, ?> detail) {
        gateway.reloaded(detail);
    }

    @Override
    public void close() {
        gateway.close();
    }
}
