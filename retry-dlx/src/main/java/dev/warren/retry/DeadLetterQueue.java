package dev.warren.retry;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.wire.TaskHeaders;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Tools for the dead-letter queue {@code <queue>.dlq}: list, show, replay, purge.
 *
 * <p>Reading never loses a message: messages are consumed without acknowledgement and go back to
 * the queue when the read ends (they are marked redelivered; their order is kept). Except on a
 * quorum dead-letter queue on RabbitMQ 4.0 to 4.2, which counts each return as a delivery and,
 * with its default delivery limit of 20 and no dead-letter exchange, drops a letter returned that
 * often, unless a policy sets {@code delivery-limit} to -1 (docs/retries.md).
 * Replay publishes copies to the work queue with the attempt counter reset, a window of them ahead
 * of the broker's confirms, and acknowledges (removes) each dead-lettered original only once its
 * copy is confirmed.
 */
public final class DeadLetterQueue {

    /** A {@link #read} prefetch of 0: the broker sends without limit. */
    public static final int UNLIMITED = 0;
    /** The largest {@link #read} prefetch: RabbitMQ's {@code prefetch_count} is a 16-bit number. */
    public static final int MAX_PREFETCH = 65_535;
    /** Headers of the last failure, dropped on replay so the task starts over. */
    private static final List<String> FAILURE_HEADERS = List.of(TaskHeaders.ATTEMPT, TaskHeaders.ERROR,
            TaskHeaders.ERROR_MESSAGE, TaskHeaders.STACK_TRACE, TaskHeaders.FAILED_AT, TaskHeaders.BODY_BYTES, "x-death", "x-first-death-exchange",
            "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue",
            "x-last-death-reason", "x-delivery-count");

    /** Bodies larger than this are not read into memory: kept in a file while browsing, replayed from it. */
    static final int READ_LIMIT = 1024 * 1024;
    /** How much of a body kept in a file a {@link DeadLetter} holds, to show what it is. */
    static final int HEAD_BYTES = 64 * 1024;

    private final AmqpConnections connections;
    private final TaskPublisher publisher;
    /** Used when this opens the consuming connection; a worker's own is used when it opened it first. */
    private final OversizedBodies oversized = new OversizedBodies(READ_LIMIT, Path.of(System.getProperty("java.io.tmpdir")));

    @Inject
    public DeadLetterQueue(AmqpConnections connections, TaskPublisher publisher) {
        this.connections = connections;
        this.publisher = publisher;
    }

    /** Up to {@code limit} dead letters of work queue {@code queue} that match {@code filter}, oldest first. */
    public List<DeadLetter> list(String queue, Predicate<DeadLetter> filter, int limit) throws IOException {
        List<DeadLetter> result = new ArrayList<>();
        read(queue, UNLIMITED, letter -> {
            if (filter.test(letter)) {
                result.add(letter);
            }
            return result.size() < limit;
        });
        return result;
    }

    /**
     * Visits the dead letters of work queue {@code queue} present when reading starts, oldest first,
     * until {@code visitor} returns false; removes none. {@code prefetch} bounds how many the broker
     * sends ahead: a reader that needs only the first N passes N, one that may visit all passes
     * {@value #UNLIMITED} (no limit; memory stays bounded, see {@link DeadLetterReader}). A letter
     * another reader holds at the time is not visited. Returns how many letters the queue held when
     * reading started (those another reader held not counted).
     */
    public int read(String queue, int prefetch, Predicate<DeadLetter> visitor) throws IOException {
        if (prefetch < UNLIMITED || prefetch > MAX_PREFETCH) {
            throw new IllegalArgumentException("prefetch must be between 0 (no limit) and " + MAX_PREFETCH + ", was "
                    + prefetch);
        }
        return browse(queue, prefetch, (letter, tag, channel, kept) -> visitor.test(letter), channel -> { });
    }

    /**
     * How many messages the dead-letter queue of {@code queue} holds (ready ones). Counted as a read
     * counts (see {@link DeadLetterReader}), so it includes what a read that just ended put back.
     */
    public int size(String queue) throws IOException {
        return read(queue, 1, letter -> false);
    }

    /**
     * Moves the matching dead letters back to {@code target} (their work queue), each confirmed
     * before its original is removed, as fast as the broker confirms. Returns how many moved.
     */
    public int replay(String queue, Predicate<DeadLetter> filter, String target) throws IOException {
        return replay(queue, filter, target, letter -> { });
    }

    /**
     * Like {@link #replay(String, Predicate, String)}, telling {@code replayed} of each dead letter
     * once its copy is confirmed in {@code target} and it is removed from the DLQ.
     */
    public int replay(String queue, Predicate<DeadLetter> filter, String target, Consumer<DeadLetter> replayed)
            throws IOException {
        return replay(queue, filter, target, ReplayPace.unlimited(), () -> false, replayed);
    }

    /**
     * Moves the matching dead letters to {@code target} at {@code pace}: up to {@link
     * ReplayPace#window()} copies are published ahead of their confirms, and each original is removed
     * only after its copy is confirmed (at-least-once: should this process die, at most a window of
     * letters is in both queues, none in neither). Stops early when {@code cancelled} turns true,
     * after settling the copies in flight; {@code replayed} hears of each letter moved (on the
     * publisher's confirm thread). Returns how many moved.
     *
     * @throws IOException when a copy is refused or unconfirmed, or the broker fails; the letters
     *                     not moved stay in the dead-letter queue
     */
    public int replay(String queue, Predicate<DeadLetter> filter, String target, ReplayPace pace,
                      BooleanSupplier cancelled, Consumer<DeadLetter> replayed) throws IOException {
        ReplayPipeline pipeline = new ReplayPipeline(publisher, target, filter, DeadLetterQueue::fresh, pace,
                cancelled, replayed);
        browse(queue, UNLIMITED, pipeline, pipeline);
        if (pipeline.failure() != null) {
            Throwable failure = pipeline.failure();
            throw new IOException("replaying '" + DeadLetterOnFailure.deadLetterQueue(queue) + "' to '" + target
                    + "' stopped after " + pipeline.moved() + " letter(s): " + failure.getMessage(), failure);
        }
        return pipeline.moved();
    }

    /** Deletes every message in the dead-letter queue of {@code queue}; returns how many. */
    public int purge(String queue) throws IOException {
        Connection connection = connections.publishing();
        try (Channel channel = connection.createChannel()) {
            return channel.queuePurge(DeadLetterOnFailure.deadLetterQueue(queue)).getMessageCount();
        } catch (TimeoutException e) {
            throw new IOException("no answer from the broker", e);
        }
    }

    /**
     * Removes the matching dead letters of {@code queue} for good (acknowledges them); the others
     * stay, in order. Returns how many were removed.
     */
    public int discard(String queue, Predicate<DeadLetter> filter) throws IOException {
        int[] removed = {0};
        browse(queue, UNLIMITED, (letter, tag, channel, kept) -> {
            if (filter.test(letter)) {
                channel.basicAck(tag, false);
                removed[0]++;
            }
            return true;
        }, channel -> { });
        return removed[0];
    }

    /**
     * Reads through a connection that keeps bodies over {@link #READ_LIMIT} in files: a dead letter
     * of any size the broker accepts (a worker parks bodies up to 512 MiB) can be listed and replayed
     * without holding it in memory, and cannot make amqp-client close the connection.
     */
    private int browse(String queue, int prefetch, DeadLetterReader.Visitor visitor,
                        DeadLetterReader.ChannelUse beforeRelease) throws IOException {
        String dlq = DeadLetterOnFailure.deadLetterQueue(queue);
        Connection connection = connections.reading(oversized);
        OversizedBodies bodies = connections.readingBodies().orElse(null);
        try {
            return DeadLetterReader.read(connection, bodies, dlq, prefetch, visitor, beforeRelease);
        } catch (IOException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working through '" + dlq + "'", e);
        } catch (Exception e) {
            throw new IOException("working through '" + dlq + "' failed: " + e.getMessage(), e);
        }
    }

    private static AMQP.BasicProperties fresh(AMQP.BasicProperties properties) {
        Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders());
        FAILURE_HEADERS.forEach(headers::remove);
        // No user_id: the broker refuses one that is not the replaying user's (and closes the channel).
        return properties.builder().headers(headers.isEmpty() ? null : headers).deliveryMode(2).userId(null).build();
    }
}
