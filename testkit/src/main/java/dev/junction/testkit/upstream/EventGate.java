package dev.junction.testkit.upstream;

/**
 * Permits for {@link Fault.Gated}: the fake upstream takes one before each event it sends (or before a plain
 * body), so a test decides when each one may go. Shared by every request the fault applies to.
 */
public final class EventGate {
    private enum State { COUNTING, OPEN }

    private State state = State.COUNTING;
    private long permits;

    /** Lets one more event go. */
    public void release() {
        release(1);
    }

    /** Lets {@code events} more events go. */
    public synchronized void release(int events) {
        if (events < 0) throw new IllegalArgumentException("negative permit count: " + events);
        permits += events;
        notifyAll();
    }

    /** Lets everything go from now on. */
    public synchronized void open() {
        state = State.OPEN;
        notifyAll();
    }

    synchronized void awaitPermit() throws InterruptedException {
        while (state == State.COUNTING && permits == 0) wait();
        if (state == State.COUNTING) permits--;
    }
}
