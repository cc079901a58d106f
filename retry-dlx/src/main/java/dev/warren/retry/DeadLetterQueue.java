package dev.warren.retry;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.connection.OversizedBody;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Tools for the dead-letter queue {@code <queue>.dlq}: list, show, replay, purge.
 *
 * <p>Reading never loses a message: messages are fetched without acknowledgement and go back to
 * the queue when the reading channel closes (they are marked redelivered; their order is kept).
 * Replay publishes a copy to the work queue with the attempt counter reset, waits for the
 * broker's confirm, and only then acknowledges (removes) the dead-lettered original.
 */
public final class DeadLetterQueue {

    private static final long CONFIRM_TIMEOUT_SECONDS = 30;
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
        browse(queue, (letter, tag, channel, kept) -> {
            if (filter.test(letter)) {
                result.add(letter);
            }
            return result.size() < limit;
        });
        return result;
    }

    /** How many messages the dead-letter queue of {@code queue} holds (ready ones). */
    public int size(String queue) throws IOException {
        Connection connection = connections.publishing();
        try (Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(DeadLetterOnFailure.deadLetterQueue(queue)).getMessageCount();
        } catch (TimeoutException e) {
            throw new IOException("no answer from the broker", e);
        }
    }

    /**
     * Moves the matching dead letters back to {@code target} (their work queue), each confirmed
     * before its original is removed. Returns how many moved.
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
        int[] moved = {0};
        browse(queue, (letter, tag, channel, kept) -> {
            if (filter.test(letter)) {
                if (kept != null && !kept.isKept()) {
                    throw new IOException("cannot replay " + letter.messageId() + ": its body of " + kept.size()
                            + " bytes could not be kept in a file (" + kept.failure() + ")");
                }
                (kept == null ? publisher.publishRaw(target, fresh(letter.properties()), letter.body())
                        : publisher.publishRaw(target, fresh(letter.properties()), kept.map()))
                        .get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                channel.basicAck(tag, false);
                moved[0]++;
                replayed.accept(letter);
            }
            return true;
        });
        return moved[0];
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
        browse(queue, (letter, tag, channel, kept) -> {
            if (filter.test(letter)) {
                channel.basicAck(tag, false);
                removed[0]++;
            }
            return true;
        });
        return removed[0];
    }

    /** Visits one dead letter ({@code kept}: its body in a file, or null); returns false to stop browsing. */
    @FunctionalInterface
    private interface Visitor {
        boolean visit(DeadLetter letter, long deliveryTag, Channel channel, OversizedBody kept) throws Exception;
    }

    /**
     * Fetches the messages present when browsing starts, one by one without acknowledgement;
     * closing the channel at the end returns every message the visitor did not acknowledge.
     * Reads through a connection that keeps bodies over {@link #READ_LIMIT} in files: a dead letter
     * of any size the broker accepts (a worker parks bodies up to 512 MiB) can be listed and replayed
     * without holding it in memory, and cannot make amqp-client close the connection.
     */
    private void browse(String queue, Visitor visitor) throws IOException {
        String dlq = DeadLetterOnFailure.deadLetterQueue(queue);
        Connection connection = connections.reading(oversized);
        OversizedBodies bodies = connections.readingBodies().orElse(null);
        try (Channel channel = connection.createChannel()) {
            int present = channel.queueDeclarePassive(dlq).getMessageCount();
            for (int i = 0; i < present; i++) {
                GetResponse response = channel.basicGet(dlq, false);
                if (response == null) {
                    break;
                }
                Optional<OversizedBody> kept = bodies == null ? Optional.empty() : bodies.claim(response.getProps());
                try {
                    DeadLetter letter = kept.isEmpty() ? DeadLetter.of(response.getProps(), response.getBody())
                            : DeadLetter.of(kept.get().properties(),
                                    kept.get().isKept() ? kept.get().head(HEAD_BYTES) : new byte[0], kept.get().size());
                    if (!visitor.visit(letter, response.getEnvelope().getDeliveryTag(), channel, kept.orElse(null))) {
                        break;
                    }
                } finally {
                    kept.ifPresent(OversizedBody::close);
                }
            }
        } catch (IOException e) {
            throw e;
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
