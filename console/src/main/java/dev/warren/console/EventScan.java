package dev.warren.console;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import dev.warren.events.Event;
import dev.warren.events.EventOffset;
import dev.warren.events.TaskEvents;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One bounded read of the task-event stream as the signed-in user: from the events stored at
 * {@code from} (the broker starts at the chunk holding that time, so earlier events are skipped)
 * until it has caught up with {@code until}, the time the request started; events after
 * {@code until} are not passed on. A stream has no end over AMQP 0-9-1, so the read stops at the
 * first of: an event more than {@link #CAUGHT_UP_MARGIN} after {@code until} (the history is
 * behind it; the margin lets events of emitters whose clocks or batches lag still arrive), no
 * event for {@link #IDLE} (the stream holds nothing newer), or the time budget (then
 * {@link Result#complete()} is false).
 */
final class EventScan {

    /** The history arrives without pauses: this long without an event means it has all been read. */
    static final Duration IDLE = Duration.ofMillis(500);
    /** An event this long after the read's start means the stream is read up to now. */
    static final Duration CAUGHT_UP_MARGIN = Duration.ofSeconds(1);
    private static final long POLL_MILLIS = 25;

    /**
     * How a read ended.
     *
     * @param scanned  events read between {@code from} and {@code until}
     * @param complete false when the time budget ended the read before it caught up
     */
    record Result(long scanned, boolean complete) {
    }

    private final Clock clock;

    EventScan(Clock clock) {
        this.clock = clock;
    }

    /**
     * Reads {@code stream} with {@code reader} from {@code from} to now, passing each event in that
     * span to {@code sink}, one at a time (the caller may read what {@code sink} built once this returns).
     *
     * @throws NoSuchElementException  when the stream does not exist
     * @throws AccessRefusedException when the user may not read it
     */
    Result read(TaskEvents reader, String stream, String user, Instant from, Duration budget, Consumer<Event> sink)
            throws IOException, InterruptedException {
        Instant until = clock.instant();
        Instant caughtUpAt = until.plus(CAUGHT_UP_MARGIN);
        long deadline = System.nanoTime() + budget.toNanos();
        CountDownLatch caughtUp = new CountDownLatch(1);
        Object lock = new Object();
        long[] lastArrival = {System.nanoTime()};
        long[] scanned = {0};
        boolean[] stopped = {false};
        // Events arrive on an amqp-client thread; the lock hands what the sink built to the request's thread.
        Consumer<Event> counting = event -> {
            synchronized (lock) {
                lastArrival[0] = System.nanoTime();
                if (stopped[0]) {
                    return;
                }
                if (event.at().isAfter(caughtUpAt)) {
                    caughtUp.countDown();
                } else if (!event.at().isBefore(from) && !event.at().isAfter(until)) {
                    scanned[0]++;
                    sink.accept(event);
                }
            }
        };
        boolean complete;
        try (AutoCloseable reading = reader.follow(EventOffset.since(from), event -> true, counting)) {
            complete = await(caughtUp, lock, lastArrival, deadline);
            synchronized (lock) {
                stopped[0] = true;
            }
        } catch (IOException | ShutdownSignalException e) {
            throw explained(e, stream, user);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("closing the reader of '" + stream + "' failed", e);
        }
        synchronized (lock) {
            return new Result(scanned[0], complete);
        }
    }

    /** True once caught up or idle; false when the deadline passed first. */
    private static boolean await(CountDownLatch caughtUp, Object lock, long[] lastArrival, long deadline)
            throws InterruptedException {
        while (!caughtUp.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            synchronized (lock) {
                if (now - lastArrival[0] >= IDLE.toNanos()) {
                    return true;
                }
            }
            if (now - deadline >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The broker's refusals in the user's words; other failures as they are. */
    private static IOException explained(Exception e, String stream, String user) {
        Optional<Reply> refusal = BrokerReplies.all(e)
                .filter(r -> r.channel() && r.is(AMQP.NOT_FOUND, AMQP.ACCESS_REFUSED)).findFirst();
        if (refusal.isPresent() && refusal.get().is(AMQP.NOT_FOUND)) {
            throw new NoSuchElementException("no events: there is no events stream '" + stream + "' in this"
                    + " vhost. Start workers with --events (and send/dlq replay with --events) to record what"
                    + " happens to each task, or start the console with --events-stream naming theirs");
        }
        if (refusal.isPresent()) {
            throw new AccessRefusedException("user '" + user + "' may not read the events stream '" + stream
                    + "': it needs read permission on it");
        }
        return e instanceof IOException io ? io : new IOException("reading the events stream '" + stream + "' failed: "
                + e.getMessage(), e);
    }
}
