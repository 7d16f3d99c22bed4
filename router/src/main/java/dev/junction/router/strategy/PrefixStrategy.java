package dev.junction.router.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code prefix}: requests that share a prompt prefix go where that prefix went before, so the deployment's prefix
 * (KV) cache already holds it; as the Gateway API Inference Extension's approximate prefix-cache scorer does,
 * without asking the deployments. The prompt is hashed in chained blocks (see {@code PromptBlocks}); each candidate
 * scores {@code prefix} = the blocks it holds from the first on, over the prompt's blocks (0 for a prompt shorter
 * than a block), and {@code score = w·prefix − (1 − w)·load}, with {@code load} as {@link LeastBusyStrategy}
 * measures it, so that a hot prefix does not pile onto one deployment: once that deployment is much busier than
 * another (by half its capacity, with the default weight, for a prompt it holds entirely), the request goes to the
 * other, which then holds the prefix too. Highest score first, equal scores in random order; those without room (a
 * deployment at its {@code max_concurrent} among them) last.
 *
 * <p>What each deployment holds is learnt from {@link #recordRoute}, which the router calls once a deployment has
 * admitted the request, so the memory follows real placements; it is bounded by
 * {@link PrefixSettings#memoryBlocks()} and forgets the least recently placed blocks first. It is per model: the
 * chain starts from the model name. Thread-safe.
 */
public final class PrefixStrategy implements RoutingStrategy {
    private final RandomGenerator random;
    private final PrefixSettings settings;
    private final PrefixMemory memory;

    private record Scored(Candidate candidate, double score) {}

    public PrefixStrategy(RandomGenerator random) {
        this(random, PrefixSettings.defaults());
    }

    public PrefixStrategy(RandomGenerator random, PrefixSettings settings) {
        this.random = Objects.requireNonNull(random, "random");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.memory = new PrefixMemory(settings.memoryBlocks());
    }

    @Override
    public List<Candidate> order(RouteRequest request, List<Candidate> candidates) {
        long[] blocks = blocks(request);
        int[] matched = memory.matchedBlocks(blocks, candidates);
        LoadScale scale = LoadScale.of(candidates);
        double w = settings.prefixWeight();
        List<Scored> scored = new ArrayList<>(candidates.size());
        for (int i = 0; i < matched.length; i++) {
            Candidate c = candidates.get(i);
            double prefix = blocks.length == 0 ? 0 : (double) matched[i] / blocks.length;
            scored.add(new Scored(c, w * prefix - (1 - w) * scale.load(c)));
        }
        List<Scored> ordered = Orders.shuffled(scored, random);
        ordered.sort(Comparator.comparingDouble(Scored::score).reversed());
        return Orders.roomFirst(request, ordered.stream().map(Scored::candidate).toList());
    }

    @Override
    public void recordRoute(RouteRequest request, Candidate chosen) {
        memory.remember(blocks(request), chosen.index());
    }

    /** Block hashes remembered now, at most {@link PrefixSettings#memoryBlocks()}. */
    public int rememberedBlocks() {
        return memory.size();
    }

    private long[] blocks(RouteRequest request) {
        return PromptBlocks.hash(request.model(), request.prompt(), settings.blockChars(), settings.maxBlocks());
    }
}
