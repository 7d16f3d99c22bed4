package dev.junction.router.config;

import java.util.Map;

/**
 * A whole configuration file.
 *
 * <p>A file with only a {@code server:} section is valid and configures {@code ./junction serve} as the properties
 * file did (the router is not used: {@link #routes()} is false). A file that routes has both {@code suppliers:} and
 * {@code models:}; an empty file, or one with neither {@code server:} nor those two, is refused.
 *
 * @param server    {@code serve}'s options by their long name with dashes ({@code max-queue}), as text, for the
 *                  cli's defaults provider (see {@link ServerOptions}); empty when there is no {@code server:} section
 * @param suppliers by name, in file order
 * @param models    by public model name, in file order; every deployment names a supplier of {@link #suppliers}
 */
public record RouterConfig(Map<String, String> server, Map<String, SupplierConfig> suppliers,
                           Map<String, ModelConfig> models) {
    public RouterConfig {
        server = OrderedMaps.copyOf(server);
        suppliers = OrderedMaps.copyOf(suppliers);
        models = OrderedMaps.copyOf(models);
    }

    /** Whether the file declares models to route (otherwise it only sets {@code serve}'s options). */
    public boolean routes() {
        return !models.isEmpty();
    }
}
