package dev.warren.console;

import dev.warren.retry.DeadLetterQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replay of every dead letter matching a filter, paced to a rate, in the background; it can
 * be cancelled and reports its progress. Each letter goes through {@link DeadLetterQueue#replay}:
 * its copy is confirmed in the work queue before the original is removed, so a cancel, a crash or a
 * lost connection leaves each letter either in the dead-letter queue or in the work queue (both
 * only if the connection is lost between confirm and removal: at-least-once). Thread safe.
 */
final class BulkReplay {

    /** Where a replay is. */
    enum State { RUNNING, DONE, CANCELLED, FAILED }

    /**
     * What the API shows of a replay.
     *
     * @param replayed letters replayed so far (while running, counted as each copy is sent)
     * @param error    why it failed, or null
     */
    record Progress(String queue, State state, long replayed, double rate, String startedAt, String endedAt,
                    String error) {
    }

    private final String queue;
    private final DeadLetterFilter filter;
    private final double rate;
    private final Clock clock;
    private final Instant startedAt;
    private final AtomicLong replayed = new AtomicLong();
    // Written by the replaying thread (state, endedAt, error) or by cancel (cancelled), read by progress().
    private volatile boolean cancelled;
    private volatile State state = State.RUNNING;
    private volatile Instant endedAt;
    private volatile String error;

    BulkReplay(String queue, DeadLetterFilter filter, double rate, Clock clock) {
        this.queue = queue;
        this.filter = filter;
        this.rate = rate;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** Replays on a new virtual thread and returns at once. */
    BulkReplay start(DeadLetterQueue dlq) {
        Thread.ofVirtual().name("bulk-replay-" + queue).start(() -> run(dlq));
        return this;
    }

    /** Stops after the letter in flight; the rest stay in the dead-letter queue. */
    void cancel() {
        cancelled = true;
    }

    boolean isRunning() {
        return state == State.RUNNING;
    }

    Progress progress() {
        Instant ended = endedAt;
        return new Progress(queue, state, replayed.get(), rate, startedAt.toString(),
                ended == null ? null : ended.toString(), error);
    }

    private void run(DeadLetterQueue dlq) {
        long interval = (long) (1_000_000_000L / rate);
        long[] next = {System.nanoTime()};
        try {
            long moved = dlq.replay(queue, letter -> {
                if (cancelled || !filter.test(letter)) {
                    return false;
                }
                pace(next[0]);
                next[0] = Math.max(next[0], System.nanoTime()) + interval;
                replayed.incrementAndGet();
                return true;
            }, queue);
            replayed.set(moved);
            state = cancelled ? State.CANCELLED : State.DONE;
        } catch (Exception e) {
            error = Refusals.isAccessRefused(e) ? "the broker refused: " + Refusals.describe(e) : e.getMessage();
            state = State.FAILED;
        } finally {
            endedAt = clock.instant();
        }
    }

    /** Waits until {@code slot} (a {@link System#nanoTime()} value): the pacing of the rate. */
    private static void pace(long slot) {
        long wait = slot - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
