package dev.warren.retry;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.warren.core.connection.OversizedBody;
import dev.warren.core.publish.TaskPublisher;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One replay of the dead letters a reader visits: publishes a copy of each match to the target,
 * up to {@link ReplayPace#window()} copies awaiting their confirm, paced to {@link
 * ReplayPace#perSecond()}, and acknowledges each original only once its copy is confirmed
 * ({@link OriginalAcks}). Stops at the first failed copy or when cancelled; either way it waits for
 * the copies in flight before the reader releases what it holds, so every letter ends in the
 * dead-letter queue or the target, in both only when the process dies between a copy's confirm
 * and its original's acknowledgement (at most a window of letters).
 */
final class ReplayPipeline implements DeadLetterReader.Visitor, DeadLetterReader.ChannelUse {

    /**
     * How long the copies in flight may wait for their confirms at the end; past it the replay fails
     * and their originals stay. (The publisher fails a copy whose channel closes; a copy the broker
     * never confirms holds its place in the window until then.)
     */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);
    /** How far pacing may fall behind its schedule and still catch up. */
    private static final Duration MAX_LAG = Duration.ofMillis(10);

    private final TaskPublisher publisher;
    private final String target;
    private final Predicate<DeadLetter> filter;
    private final Function<AMQP.BasicProperties, AMQP.BasicProperties> copyProperties;
    private final ReplayPace pace;
    private final BooleanSupplier cancelled;
    private final Consumer<DeadLetter> replayed;
    private final Semaphore window;
    private final AtomicInteger moved = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private OriginalAcks acks;
    private long nextSlot = System.nanoTime();

    ReplayPipeline(TaskPublisher publisher, String target, Predicate<DeadLetter> filter,
                   Function<AMQP.BasicProperties, AMQP.BasicProperties> copyProperties, ReplayPace pace,
                   BooleanSupplier cancelled, Consumer<DeadLetter> replayed) {
        this.publisher = publisher;
        this.target = target;
        this.filter = filter;
        this.copyProperties = copyProperties;
        this.pace = pace;
        this.cancelled = cancelled;
        this.replayed = replayed;
        this.window = new Semaphore(pace.window());
    }

    @Override
    public boolean visit(DeadLetter letter, long tag, Channel channel, OversizedBody kept) throws Exception {
        if (acks == null) {
            acks = new OriginalAcks(channel);
        }
        if (cancelled.getAsBoolean() || failure.get() != null) {
            return false;
        }
        if (!filter.test(letter)) {
            acks.kept(tag);
            return true;
        }
        if (kept != null && !kept.isKept()) {
            throw new IOException("cannot replay " + letter.messageId() + ": its body of " + kept.size()
                    + " bytes could not be kept in a file (" + kept.failure() + ")");
        }
        awaitSlot();
        window.acquire();
        acks.sent(tag);
        CompletableFuture<Void> copy = (kept == null
                ? publisher.publishRaw(target, copyProperties.apply(letter.properties()), letter.body())
                : publisher.publishRaw(target, copyProperties.apply(letter.properties()), kept.map()));
        copy.whenComplete((ok, error) -> settle(letter, tag, error));
        if (kept != null) {
            // The body is read from the file while publishing: keep the file until the copy is settled.
            copy.exceptionally(e -> null).join();
        }
        return failure.get() == null;
    }

    /** Waits for the copies in flight; from then on nothing is acknowledged. */
    @Override
    public void use(Channel channel) throws InterruptedException {
        try {
            if (!window.tryAcquire(pace.window(), CONFIRM_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                failure.compareAndSet(null, new IOException("copies still unconfirmed after " + CONFIRM_TIMEOUT
                        + ": their originals stay in the dead-letter queue"));
            }
        } finally {
            if (acks != null) {
                acks.close();
            }
        }
    }

    /** How many letters moved: copy confirmed, original removed. */
    int moved() {
        return moved.get();
    }

    /** Why the replay stopped early, if it did. */
    Throwable failure() {
        return failure.get();
    }

    private void settle(DeadLetter letter, long tag, Throwable error) {
        try {
            if (error == null) {
                if (acks.confirmed(tag)) {
                    moved.incrementAndGet();
                    replayed.accept(letter);
                }
            } else {
                failure.compareAndSet(null, error);
                acks.failed(tag);
            }
        } catch (IOException | RuntimeException e) {
            // The reading channel is gone: its unacknowledged originals are back in the queue.
            failure.compareAndSet(null, e);
        } finally {
            window.release();
        }
    }

    /**
     * Waits for the next copy's slot. Sleeps overshoot (by far more than a slot at thousands a
     * second), so a copy late on its slot does not move the schedule: the next ones go at once until
     * it is caught up, by at most {@link #MAX_LAG}, so the rate holds on average and a burst lasts
     * no longer than that.
     */
    private void awaitSlot() throws InterruptedException {
        long interval = pace.intervalNanos();
        if (interval == 0) {
            return;
        }
        long now = System.nanoTime();
        nextSlot = Math.max(nextSlot, now - MAX_LAG.toNanos());
        if (nextSlot > now) {
            Thread.sleep(Duration.ofNanos(nextSlot - now));
        }
        nextSlot += interval;
    }
}
