package dev.junction.router.config;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One compute supplier, by kind. Every kind carries a name (its key under {@code suppliers:}), a capacity
 * {@link Contract} (no limits when left out), a {@link Price} ({@link Price#FREE} when left out), labels (free
 * {@code key: value} pairs for the operator, none when left out) and {@link BreakerSettings} (the defaults when left
 * out). Each kind can also be made without breaker settings: then it has the defaults.
 */
public sealed interface SupplierConfig {
    String name();

    Contract contract();

    Price price();

    Map<String, String> labels();

    BreakerSettings breaker();

    /** The kind as written in the file ({@code local}, {@code openai}, {@code azure-openai}). */
    String kind();

    /**
     * {@code kind: local}: the in-process engine, with the models it loads by name (in file order). At most one per
     * file.
     */
    record Local(String name, Map<String, LocalModel> models, Contract contract, Price price,
                 Map<String, String> labels, BreakerSettings breaker) implements SupplierConfig {
        public Local {
            Objects.requireNonNull(name, "name");
            models = OrderedMaps.copyOf(models);
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(price, "price");
            labels = OrderedMaps.copyOf(labels);
            Objects.requireNonNull(breaker, "breaker");
        }

        public Local(String name, Map<String, LocalModel> models, Contract contract, Price price,
                     Map<String, String> labels) {
            this(name, models, contract, price, labels, BreakerSettings.DEFAULTS);
        }

        @Override
        public String kind() {
            return "local";
        }
    }

    /**
     * {@code kind: openai}: any OpenAI-compatible service (vLLM, TGI, llama.cpp's server, Ollama, OpenAI, Bedrock's
     * OpenAI endpoint).
     *
     * @param url    the API base, ending where {@code /chat/completions} is appended (e.g.
     *               {@code https://host/v1}), without a trailing slash
     * @param apiKey sent as {@code Authorization: Bearer}; empty when the service needs none
     */
    record OpenAi(String name, URI url, Optional<Secret> apiKey, Contract contract, Price price,
                  Map<String, String> labels, Timeouts timeouts, BreakerSettings breaker) implements SupplierConfig {
        public OpenAi {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(price, "price");
            labels = OrderedMaps.copyOf(labels);
            Objects.requireNonNull(timeouts, "timeouts");
            Objects.requireNonNull(breaker, "breaker");
        }

        public OpenAi(String name, URI url, Optional<Secret> apiKey, Contract contract, Price price,
                      Map<String, String> labels, Timeouts timeouts) {
            this(name, url, apiKey, contract, price, labels, timeouts, BreakerSettings.DEFAULTS);
        }

        @Override
        public String kind() {
            return "openai";
        }
    }

    /**
     * {@code kind: azure-openai}: an Azure OpenAI resource, called at
     * {@code {url}/openai/deployments/{model}/chat/completions?api-version={apiVersion}}.
     *
     * @param url        the resource, e.g. {@code https://my-resource.openai.azure.com}, without a trailing slash
     * @param apiVersion e.g. {@code 2024-10-21}
     * @param apiKey     sent as the {@code api-key} header; required
     */
    record AzureOpenAi(String name, URI url, String apiVersion, Secret apiKey, Contract contract, Price price,
                       Map<String, String> labels, Timeouts timeouts, BreakerSettings breaker)
            implements SupplierConfig {
        public AzureOpenAi {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(price, "price");
            labels = OrderedMaps.copyOf(labels);
            Objects.requireNonNull(timeouts, "timeouts");
            Objects.requireNonNull(breaker, "breaker");
        }

        public AzureOpenAi(String name, URI url, String apiVersion, Secret apiKey, Contract contract, Price price,
                           Map<String, String> labels, Timeouts timeouts) {
            this(name, url, apiVersion, apiKey, contract, price, labels, timeouts, BreakerSettings.DEFAULTS);
        }

        @Override
        public String kind() {
            return "azure-openai";
        }
    }
}
