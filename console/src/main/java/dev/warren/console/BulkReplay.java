package dev.warren.console;

import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.retry.DeadLetterQueue;
import dev.warren.retry.ReplayPace;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replay of every dead letter matching a filter, paced to a rate, in the background; it can
 * be cancelled and reports its progress. It goes through {@link DeadLetterQueue#replay}: up to
 * {@link ReplayPace#DEFAULT_WINDOW} copies ahead of their confirms, each original removed only once
 * its copy is confirmed in the work queue, so a cancel, a crash or a lost connection leaves each
 * letter either in the dead-letter queue or in the work queue (in both only for copies confirmed, or
 * sent, whose originals were not removed yet: at most a window of letters; at-least-once). Thread safe.
 */
final class BulkReplay {

    /** Where a replay is. */
    enum State { RUNNING, DONE, CANCELLED, FAILED }

    /**
     * What the API shows of a replay.
     *
     * @param replayed letters moved so far: copy confirmed in the work queue, original removed
     * @param window   copies at most awaiting their confirm
     * @param error    why it failed, or null
     */
    record Progress(String queue, State state, long replayed, double rate, int window, String startedAt, String endedAt,
                    String error) {
    }

    private final String queue;
    private final DeadLetterFilter filter;
    private final ReplayPace pace;
    private final Clock clock;
    private final Instant startedAt;
    private final AtomicLong replayed = new AtomicLong();
    // Written by the replaying thread (state, endedAt, error) or by cancel (cancelled), read by progress().
    private volatile boolean cancelled;
    private volatile State state = State.RUNNING;
    private volatile Instant endedAt;
    private volatile String error;

    BulkReplay(String queue, DeadLetterFilter filter, ReplayPace pace, Clock clock) {
        this.queue = queue;
        this.filter = filter;
        this.pace = pace;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /**
     * Replays as {@code broker}'s user on a new virtual thread and returns at once. When it cannot
     * start (the session ended meanwhile, say) it throws, and the replay is {@code FAILED}, never
     * left {@code RUNNING}.
     */
    BulkReplay start(UserBroker broker) {
        try {
            DeadLetterQueue dlq = broker.deadLetters();
            ReplayEvents events = broker.replayEvents();
            Thread.ofVirtual().name("bulk-replay-" + queue).start(() -> run(dlq, events));
            return this;
        } catch (RuntimeException | Error e) {
            error = "could not start: " + e.getMessage();
            endedAt = clock.instant();
            state = State.FAILED;
            throw e;
        }
    }

    /**
     * Stops publishing copies; the copies in flight are settled (a confirmed one's original is
     * removed) and the rest stay in the dead-letter queue.
     */
    void cancel() {
        cancelled = true;
    }

    boolean isRunning() {
        return state == State.RUNNING;
    }

    /** When it ended; null while it runs. */
    Instant endedAt() {
        return endedAt;
    }

    Progress progress() {
        Instant ended = endedAt;
        return new Progress(queue, state, replayed.get(), pace.perSecond(), pace.window(), startedAt.toString(),
                ended == null ? null : ended.toString(), error);
    }

    private void run(DeadLetterQueue dlq, ReplayEvents events) {
        ReplayEvents.Run run = events.run(queue, DeadLetterOnFailure.deadLetterQueue(queue));
        State ended = State.FAILED;
        try {
            long moved = dlq.replay(queue, run.noting(filter), queue, pace, () -> cancelled, letter -> {
                replayed.incrementAndGet();
                run.replayed(letter);
            });
            replayed.set(moved);
            ended = cancelled ? State.CANCELLED : State.DONE;
        } catch (Exception e) {
            error = Refusals.isAccessRefused(e) ? "the broker refused: " + Refusals.describe(e) : e.getMessage();
        } finally {
            // endedAt before state: whoever sees the replay ended (the session sweep) sees when.
            endedAt = clock.instant();
            state = ended;
        }
    }
}
