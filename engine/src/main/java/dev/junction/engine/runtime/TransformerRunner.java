package dev.junction.engine.runtime;

import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvPool;
import dev.junction.engine.model.Transformer;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs plans on a real {@link Transformer} over a paged {@link KvPool}: one {@link Transformer.Sequence} per runner
 * slot, whose block tables follow the scheduler's (window blocks the scheduler drops later are simply never read
 * again), and one reusable {@link Transformer.Batch} of up to the token
 * budget's rows, so that every step reads the weights once for all its sequences and allocates nothing.
 */
final class TransformerRunner implements ModelRunner {
    private final Transformer transformer;
    private final Parallel parallel;
    private final Transformer.Sequence[] slots;
    private final Map<Transformer.Sequence, Integer> slotOf = new IdentityHashMap<>();
    private final Sequence[] owners;
    private final Transformer.Batch batch;
    private PromptScores promptScores; // of the step being executed

    /**
     * @param maxRunning runner slots (the scheduler's running sequences)
     * @param maxRows    the most tokens a step computes (the scheduler's token budget)
     */
    TransformerRunner(Transformer transformer, KvPool pool, int maxRunning, int maxRows, Parallel parallel) {
        this.transformer = transformer;
        this.parallel = parallel;
        this.slots = new Transformer.Sequence[maxRunning];
        this.owners = new Sequence[maxRunning];
        for (int i = 0; i < maxRunning; i++) {
            slots[i] = transformer.newSequence(pool);
            slotOf.put(slots[i], i);
        }
        this.batch = transformer.newBatch(maxRows);
        batch.onRowLogits(this::rowLogits);
    }

    @Override
    public int vocabSize() {
        return transformer.config().vocabSize();
    }

    @Override
    public void execute(StepPlan plan, PromptScores promptScores) {
        this.promptScores = promptScores;
        try {
            for (int i = 0; i < plan.size(); i++) {
                Sequence s = plan.sequence(i);
                Transformer.Sequence t = slots[s.slot()];
                owners[s.slot()] = s;
                if (plan.admitted(i)) t.clearBlocks();
                BlockTable table = s.blocks();
                for (int b = t.blockCount(); b < table.size(); b++) {
                    t.appendBlocks(table.block(b), b < table.windowSize() ? table.windowBlock(b) : BlockTable.NO_BLOCK);
                }
                int start = plan.start(i), end = start + plan.count(i);
                t.setLength(start);
                int[] tokens = s.tokens();
                boolean logits = plan.wantsLogits(i);
                int scored = scoredPositions(s);
                for (int p = start; p < end; p++) batch.add(t, tokens[p], p < scored || logits && p == end - 1);
            }
            transformer.run(batch, parallel);
        } finally {
            batch.clear();
            this.promptScores = null;
        }
    }

    private void rowLogits(Transformer.Sequence t, int position, float[] logits, int offset) {
        Sequence s = owners[slotOf.get(t)];
        if (position < scoredPositions(s)) promptScores.accept(s, position, logits, offset);
    }

    /** Positions {@code [0, n)} whose logits score the next prompt token: none unless the sequence scores its prompt. */
    private static int scoredPositions(Sequence s) {
        return s.scoresPrompt() ? s.promptLength() - 1 : 0;
    }

    @Override
    public float[] logits(Sequence sequence) {
        return slots[sequence.slot()].logits();
    }
}
