package dev.junction.cli;

import dev.junction.inference.Generation;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceService;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.ServiceStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several services served as one, each request going to the service that serves its model: how {@code serve} offers
 * several local models at once (each with its own engine loop and KV pool).
 */
final class ModelDirectory implements InferenceService {
    private final Map<String, InferenceService> byModel = new LinkedHashMap<>();
    private final List<InferenceService> services;

    ModelDirectory(List<? extends InferenceService> services) {
        this.services = List.copyOf(services);
        for (InferenceService s : services) {
            for (ModelInfo m : s.models()) {
                if (byModel.putIfAbsent(m.id(), s) != null) {
                    throw new IllegalArgumentException("two models are named '" + m.id() + "'");
                }
            }
        }
    }

    @Override
    public List<ModelInfo> models() {
        List<ModelInfo> all = new ArrayList<>();
        for (InferenceService s : services) all.addAll(s.models());
        return all;
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        InferenceService service = byModel.get(request.model());
        if (service == null) throw InferenceException.modelNotFound(request.model());
        return service.generate(request, listener);
    }

    @Override
    public String detokenize(String model, int[] tokens) {
        InferenceService service = byModel.get(model);
        if (service == null) throw InferenceException.modelNotFound(model);
        return service.detokenize(model, tokens);
    }

    @Override
    public boolean ready() {
        return services.stream().allMatch(InferenceService::ready); // none: a router with no local models
    }

    @Override
    public ServiceStats stats() {
        ServiceStats total = ServiceStats.EMPTY;
        for (InferenceService s : services) total = total.plus(s.stats());
        return total;
    }

    @Override
    public void shutdown(long graceMillis) {
        List<Thread> stopping = new ArrayList<>();
        for (InferenceService s : services) stopping.add(Thread.startVirtualThread(() -> s.shutdown(graceMillis)));
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
