package dev.junction.engine.runtime;

import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvPool;
import dev.junction.engine.model.Transformer;

/**
 * Runs plans on a real {@link Transformer} over a paged {@link KvPool}: one {@link Transformer.Sequence} per runner
 * slot, whose block table follows the scheduler's, and one reusable {@link Transformer.Batch} of up to the token
 * budget's rows, so that every step reads the weights once for all its sequences and allocates nothing.
 */
final class TransformerRunner implements ModelRunner {
    private final Transformer transformer;
    private final Parallel parallel;
    private final Transformer.Sequence[] slots;
    private final Transformer.Batch batch;

    /**
     * @param maxRunning runner slots (the scheduler's running sequences)
     * @param maxRows    the most tokens a step computes (the scheduler's token budget)
     */
    TransformerRunner(Transformer transformer, KvPool pool, int maxRunning, int maxRows, Parallel parallel) {
        this.transformer = transformer;
        this.parallel = parallel;
        this.slots = new Transformer.Sequence[maxRunning];
        for (int i = 0; i < maxRunning; i++) slots[i] = transformer.newSequence(pool);
        this.batch = transformer.newBatch(maxRows);
    }

    @Override
    public int vocabSize() {
        return transformer.config().vocabSize();
    }

    @Override
    public void execute(StepPlan plan) {
        try {
            for (int i = 0; i < plan.size(); i++) {
                Sequence s = plan.sequence(i);
                Transformer.Sequence t = slots[s.slot()];
                if (plan.admitted(i)) t.clearBlocks();
                BlockTable table = s.blocks();
                for (int b = t.blockCount(); b < table.size(); b++) t.appendBlock(table.block(b));
                int start = plan.start(i), end = start + plan.count(i);
                t.setLength(start);
                int[] tokens = s.tokens();
                boolean logits = plan.wantsLogits(i);
                for (int p = start; p < end; p++) batch.add(t, tokens[p], logits && p == end - 1);
            }
            transformer.run(batch, parallel);
        } finally {
            batch.clear();
        }
    }

    @Override
    public float[] logits(Sequence sequence) {
        return slots[sequence.slot()].logits();
    }
}
