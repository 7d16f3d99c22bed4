package dev.junction.cli;

import dev.junction.gateway.limit.Pricing;
import dev.junction.router.SupplierRouter;
import dev.junction.router.config.ModelConfig;
import dev.junction.router.config.Price;
import dev.junction.router.config.RouterConfig;
import dev.junction.router.config.SupplierConfig;

/**
 * The router's prices (each supplier's {@code price:} per million input and output tokens) as the business edition's
 * {@link Pricing}, read from the configuration in force, so a reload changes them at once. A model's reservation
 * takes its dearest deployment; a charge, the supplier that answered.
 */
final class RouterPricing implements Pricing {
    private final SupplierRouter router;

    RouterPricing(SupplierRouter router) {
        this.router = router;
    }

    @Override
    public long reserveMicros(String model, long promptTokens, long completionTokens) {
        RouterConfig config = router.config();
        ModelConfig m = config.models().get(model);
        if (m == null) return 0;
        long most = 0;
        for (ModelConfig.Deployment d : m.deployments()) {
            most = Math.max(most, cost(price(config, d.supplier()), promptTokens, completionTokens));
        }
        return most;
    }

    @Override
    public long chargeMicros(String model, String supplier, long promptTokens, long completionTokens) {
        if (supplier == null) return reserveMicros(model, promptTokens, completionTokens);
        return cost(price(router.config(), supplier), promptTokens, completionTokens);
    }

    private static Price price(RouterConfig config, String supplier) {
        SupplierConfig s = config.suppliers().get(supplier);
        return s == null ? Price.FREE : s.price();
    }

    private static long cost(Price p, long promptTokens, long completionTokens) {
        return Pricing.micros(promptTokens, p.input()) + Pricing.micros(completionTokens, p.output());
    }
}
