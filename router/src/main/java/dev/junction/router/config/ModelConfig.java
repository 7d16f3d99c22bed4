package dev.junction.router.config;

import java.util.List;
import java.util.Objects;

/**
 * One public model name (its key under {@code models:}) and the deployments that serve it.
 *
 * @param strategy    how requests are spread; {@link Strategy#PRIORITY} when left out
 * @param deployments at least one, in file order
 */
public record ModelConfig(String name, Strategy strategy, List<Deployment> deployments) {
    public ModelConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        deployments = List.copyOf(deployments);
    }

    /**
     * The model on one supplier.
     *
     * @param supplier the supplier's name, one of {@code suppliers:}
     * @param model    the name the supplier knows it by (a local model's name, an upstream model or Azure deployment);
     *                 the public model name when left out
     * @param tier     for {@code priority}: 1 is tried first, then 2, …; 1 when left out
     * @param weight   for {@code weighted}: a share relative to the others' weights, at least 1; 1 when left out
     */
    public record Deployment(String supplier, String model, int tier, int weight) {
        public Deployment {
            Objects.requireNonNull(supplier, "supplier");
            Objects.requireNonNull(model, "model");
        }
    }
}
