package dev.junction.engine.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what each engine step computes, as in vLLM's v1 scheduler: a step is a batch of at most
 * {@code tokenBudget} tokens drawn from every running sequence — one token for each decoding sequence, then chunks of
 * prompts — so that prompts are processed while others generate (continuous batching), and a long prompt advances by
 * at most the budget per step (chunked prefill) instead of stalling everyone.
 *
 * <p>Sequences wait in a FIFO queue and are admitted in order while there are runner slots, budget and KV blocks; the
 * head of the queue is never skipped, so no request starves. Admission maps the prompt's cached prefix blocks. When a
 * running sequence needs a block and the pool is exhausted, the newest running sequence is preempted — its blocks
 * freed, its computed state dropped, itself put back at the head of the queue to be recomputed later — so the oldest
 * always keeps running and the pool can never deadlock. A sequence that could never fit in the pool, even alone, is
 * refused at {@link #submit}.
 *
 * <p>A pure state machine, driven by the engine thread: {@link #schedule()}, run the plan, {@link #executed}, then
 * {@link #append} each sampled token or {@link #finish} the sequence. No threads, no clock, no model.
 */
public final class Scheduler {
    private final BlockManager blocks;
    private final int maxRunning;
    private final int tokenBudget;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>(); // admission order: oldest first
    private final int[] freeSlots;
    private int freeSlotCount;
    private final StepPlan plan;
    private long nextId;
    private long preemptions;

    /**
     * @param maxRunning  the most sequences running at once (runner slots)
     * @param tokenBudget the most tokens one step computes; at least {@code maxRunning}, so every running sequence
     *                    can decode in every step
     */
    public Scheduler(BlockManager blocks, int maxRunning, int tokenBudget) {
        if (maxRunning < 1) throw new IllegalArgumentException("maxRunning must be at least 1, got " + maxRunning);
        if (tokenBudget < maxRunning) {
            throw new IllegalArgumentException("the token budget per step (" + tokenBudget
                    + ") must be at least the number of running sequences (" + maxRunning + ")");
        }
        this.blocks = blocks;
        this.maxRunning = maxRunning;
        this.tokenBudget = tokenBudget;
        this.freeSlots = new int[maxRunning];
        for (int i = 0; i < maxRunning; i++) freeSlots[i] = maxRunning - 1 - i;
        this.freeSlotCount = maxRunning;
        this.plan = new StepPlan(maxRunning + 1);
    }

    public BlockManager blocks() {
        return blocks;
    }

    public int maxRunning() {
        return maxRunning;
    }

    public int tokenBudget() {
        return tokenBudget;
    }

    /** Sequences waiting for admission, preempted ones included. */
    public int waiting() {
        return waiting.size();
    }

    public int running() {
        return running.size();
    }

    /** Whether a step would have anything to do. */
    public boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    /** Sequences preempted for lack of KV blocks since the start. */
    public long preemptions() {
        return preemptions;
    }

    /**
     * Queues a sequence that starts with {@code prompt} and may grow to {@code maxLength} tokens.
     *
     * @throws IllegalArgumentException when the prompt is empty, leaves no room for a token, or the sequence could
     *                                  never fit in the KV pool even alone
     */
    public Sequence submit(int[] prompt, int maxLength) {
        return submit(prompt, maxLength, false);
    }

    /**
     * As {@link #submit(int[], int)}; with {@code scorePrompt} the sequence {@linkplain Sequence#scoresPrompt()
     * scores its prompt}, which it then computes in full instead of mapping a cached prefix.
     */
    public Sequence submit(int[] prompt, int maxLength, boolean scorePrompt) {
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt: nothing to continue from");
        if (maxLength <= prompt.length) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens leaves no room to generate "
                    + "within " + maxLength + " tokens");
        }
        int positions = maxLength - 1; // the last token is sampled, never run through the model
        if (blocks.blocksFor(positions) > blocks.totalBlocks()) {
            throw new IllegalArgumentException("a sequence of up to " + maxLength + " tokens needs "
                    + blocks.blocksFor(positions) + " KV blocks, more than the pool's " + blocks.totalBlocks());
        }
        int windowBlocks = blocks.windowBlocksFor(positions, tokenBudget);
        if (windowBlocks > 0 && windowBlocks > blocks.windowGroup().totalBlocks()) {
            throw new IllegalArgumentException("a sequence of up to " + maxLength + " tokens needs " + windowBlocks
                    + " sliding-window KV blocks at once, more than the pool's " + blocks.windowGroup().totalBlocks());
        }
        Sequence s = new Sequence(nextId++, prompt, maxLength, scorePrompt);
        waiting.addLast(s);
        return s;
    }

    /** Plans the next step: decodes of all running sequences, then prompt chunks, within the token budget. */
    public StepPlan schedule() {
        plan.clear();
        int budget = tokenBudget;
        boolean preempted = false;
        // decodes, oldest first; a sequence that cannot get a block preempts the newest (perhaps itself)
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            if (s.length() - s.computed != 1) continue;
            int before = running.size();
            budget += makeRoom(s, s.computed + 1);
            preempted |= running.size() < before;
            if (s.state != Sequence.State.RUNNING) break; // it was the newest
            plan.add(s, s.computed, 1, false);
            budget--;
        }
        // prompt chunks of running sequences (new ones, or ones recomputing after a preemption)
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            int need = s.length() - s.computed;
            if (need <= 1) continue;
            int n = Math.min(need, budget);
            int before = running.size();
            budget += makeRoom(s, s.computed + n);
            preempted |= running.size() < before;
            if (s.state != Sequence.State.RUNNING) break;
            plan.add(s, s.computed, n, false);
            budget -= n;
        }
        // admissions, first come first served; none in a step that had to preempt
        while (!preempted && budget > 0 && freeSlotCount > 0 && !waiting.isEmpty()) {
            Sequence s = waiting.peekFirst();
            int cached = blocks.admit(s.blocks(), s.tokens(), s.length(), budget, !s.scoresPrompt());
            if (cached < 0) break;
            waiting.pollFirst();
            s.computed = cached;
            s.cachedTokens = cached;
            s.admissions++;
            s.state = Sequence.State.RUNNING;
            s.slot = freeSlots[--freeSlotCount];
            running.add(s);
            int n = Math.min(s.length() - cached, budget);
            plan.add(s, cached, n, true);
            budget -= n;
        }
        return plan;
    }

    /**
     * Makes the sequence's blocks cover {@code positions}, preempting the newest running sequences while the pool is
     * short; if that comes to the sequence itself, it is preempted too. Returns the budget freed by preempting
     * sequences already in the plan.
     */
    private int makeRoom(Sequence s, int positions) {
        int returned = 0;
        while (!blocks.allocate(s.blocks(), positions)) {
            Sequence victim = running.getLast();
            returned += preempt(victim);
            if (victim == s) break;
        }
        return returned;
    }

    private int preempt(Sequence s) {
        running.removeLast();
        int planned = plan.remove(s);
        blocks.free(s.blocks());
        freeSlots[freeSlotCount++] = s.slot;
        s.slot = -1;
        s.computed = 0;
        s.state = Sequence.State.WAITING;
        s.preemptions++;
        preemptions++;
        waiting.addFirst(s);
        return planned;
    }

    /**
     * Records that the plan ran: the scheduled tokens are now in the KV cache, full blocks become reusable, and
     * window blocks out of every later position's window are dropped.
     */
    public void executed(StepPlan done) {
        for (int i = 0; i < done.size(); i++) {
            Sequence s = done.sequence(i);
            if (s.state != Sequence.State.RUNNING) continue; // finished in the meantime
            s.computed = done.start(i) + done.count(i);
            blocks.cacheFullBlocks(s.blocks(), s.tokens(), s.computed);
        }
    }

    /** Adds a token sampled from the logits of the sequence's last token; the next step will compute it. */
    public void append(Sequence s, int token) {
        if (s.state != Sequence.State.RUNNING || s.computed != s.length()) {
            throw new IllegalStateException(s + " is not waiting for a sampled token");
        }
        s.append(token);
    }

    /**
     * What is wrong with the scheduler's own bookkeeping or its block manager's, or an empty list: a sequence in the
     * wrong list or state, runner slots lost or handed out twice, block references that the sequences' tables do not
     * account for. For checks after a failure and in tests.
     */
    public List<String> inconsistencies() {
        List<String> problems = new ArrayList<>(blocks.inconsistencies());
        long mapped = 0;
        boolean[] slotTaken = new boolean[maxRunning];
        for (Sequence s : running) {
            if (s.state != Sequence.State.RUNNING) problems.add(s + " is in the running set");
            if (s.slot < 0 || s.slot >= maxRunning || slotTaken[s.slot]) problems.add(s + " has a bad slot");
            else slotTaken[s.slot] = true;
            mapped += s.blocks().references();
        }
        for (Sequence s : waiting) {
            if (s.state != Sequence.State.WAITING) problems.add(s + " is in the waiting queue");
            if (s.blocks().references() != 0) problems.add(s + " waits holding blocks");
        }
        for (int i = 0; i < freeSlotCount; i++) {
            int slot = freeSlots[i];
            if (slot < 0 || slot >= maxRunning || slotTaken[slot]) problems.add("slot " + slot + " is free twice");
            else slotTaken[slot] = true;
        }
        if (freeSlotCount + running.size() != maxRunning) {
            problems.add(freeSlotCount + " free slots and " + running.size() + " running of " + maxRunning);
        }
        if (mapped != blocks.references()) {
            problems.add("the running sequences map " + mapped + " blocks, the pool counts " + blocks.references());
        }
        return problems;
    }

    /**
     * Drops every sequence (each becomes FINISHED, holding nothing) and resets the block manager, forgetting the
     * prefix cache: the state of a new scheduler. The way back after a failure left the bookkeeping inconsistent.
     */
    public void reset() {
        for (Sequence s : running) forget(s);
        for (Sequence s : waiting) forget(s);
        running.clear();
        waiting.clear();
        for (int i = 0; i < maxRunning; i++) freeSlots[i] = maxRunning - 1 - i;
        freeSlotCount = maxRunning;
        plan.clear();
        blocks.reset();
    }

    private static void forget(Sequence s) {
        s.blocks().clear();
        s.slot = -1;
        s.state = Sequence.State.FINISHED;
    }

    /**
     * Ends a sequence (done, cancelled or failed): it leaves the queue or the running set and its blocks are freed
     * now (full ones stay cached for reuse). Idempotent.
     */
    public void finish(Sequence s) {
        switch (s.state) {
            case FINISHED -> {
                return;
            }
            case WAITING -> waiting.remove(s);
            case RUNNING -> {
                running.remove(s);
                blocks.free(s.blocks());
                freeSlots[freeSlotCount++] = s.slot;
                s.slot = -1;
            }
        }
        s.state = Sequence.State.FINISHED;
    }
}
