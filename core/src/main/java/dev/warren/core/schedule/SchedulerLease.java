package dev.warren.core.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.consume.TopologyMismatchException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The lease: a consumer of the group's single-active-consumer quorum queue on a connection of its
 * own that never recovers by itself. The broker delivers the queue's state messages only to the
 * active consumer, so holding one is being the active replica; when this connection closes, the
 * broker requeues them and activates the next consumer. A loop reconnects with backoff (0.5 s
 * doubling to 5 s), each time as a new consumer that starts standing by. The broker refusing the
 * lease queues ({@link LeaseRefusal}) fails {@link #start()} on the first attempt; later it is logged
 * once at ERROR and retried every 5 s at DEBUG until an attempt succeeds, which is logged at INFO.
 */
final class SchedulerLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchedulerLease.class);
    /** Enough for every replica's first message plus the current one: they are tiny. */
    private static final int PREFETCH = 50;
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    private static final long MIN_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final AmqpConnections connections;
    private final SchedulerSettings settings;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final LeaderState state;
    private final Consumer<SchedulerToken> onTakeover;
    private final Thread loop;
    // Completed by the loop thread when its first attempt holds a consumer or failed retryably, or with
    // the refusal that ended the loop; start() waits for it.
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
    private volatile boolean running = true;
    // The current connection and its channels; replaced by the loop thread only, read by renew().
    private volatile Connection connection;
    private volatile Channel consuming;
    private volatile Channel publishing;

    SchedulerLease(AmqpConnections connections, SchedulerSettings settings, ObjectMapper mapper, Clock clock,
                   LeaderState state, Consumer<SchedulerToken> onTakeover) {
        this.connections = connections;
        this.settings = settings;
        this.mapper = mapper;
        this.clock = clock;
        this.state = state;
        this.onTakeover = onTakeover;
        this.loop = Thread.ofPlatform().daemon().name("warren-scheduler-lease").unstarted(this::reconnectLoop);
    }

    /**
     * Starts the reconnect loop and waits for its first attempt: returns once it holds a consumer or
     * failed in a way a retry may fix (the loop goes on).
     *
     * @throws BrokerUnavailableException when the broker refused access to the lease queues
     * @throws TopologyMismatchException  when a lease queue exists with other arguments
     */
    void start() {
        loop.start();
        try {
            firstAttempt.get();
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the scheduler lease connected", e);
        }
    }

    /**
     * Publishes {@code snapshot}'s state message, waits for its confirm, then acknowledges every held
     * one it covers: a replica that dies in between leaves the new one (or the old ones) for the next.
     *
     * @throws IOException when the lease is lost or the broker does not confirm
     */
    void renew(LeaderState.Snapshot snapshot) throws IOException {
        Channel pub = publishing;
        Channel con = consuming;
        if (pub == null || con == null) {
            throw new IOException("no lease connection");
        }
        // Serialized: confirms and the ack belong to this renewal only.
        synchronized (this) {
            publishConfirmed(pub, snapshot.token());
            if (snapshot.coversTag() > 0) {
                con.basicAck(snapshot.coversTag(), true);
            }
        }
    }

    private void publishConfirmed(Channel pub, SchedulerToken token) throws IOException {
        pub.basicPublish("", settings.leaseQueue(), true, MessageProperties.PERSISTENT_BASIC, token.toJson(mapper));
        try {
            pub.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing the scheduler state", e);
        } catch (TimeoutException e) {
            throw new IOException("the broker did not confirm the scheduler state within " + CONFIRM_TIMEOUT, e);
        }
    }

    private void reconnectLoop() {
        try {
            reconnectUntilClosed();
        } finally {
            firstAttempt.complete(null);
        }
    }

    private void reconnectUntilClosed() {
        long backoffMillis = MIN_BACKOFF_MILLIS;
        // True from a logged refusal until an attempt succeeds: a refusal is logged once, not per attempt.
        boolean refused = false;
        while (running) {
            CountDownLatch closed = new CountDownLatch(1);
            try {
                connect(closed);
                if (refused) {
                    log.info("scheduler {} reaches its lease queue '{}' again", settings.replicaName(),
                            settings.leaseQueue());
                    refused = false;
                }
                firstAttempt.complete(null);
                backoffMillis = MIN_BACKOFF_MILLIS;
                closed.await();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | TimeoutException | RuntimeException e) {
                closeQuietly();
                Optional<LeaseRefusal> refusal = LeaseRefusal.of(e, settings);
                if (refusal.isPresent() && !firstAttempt.isDone()) {
                    // Starting fails on it: an operator must act, and the worker must not look as if it scheduled.
                    running = false;
                    firstAttempt.completeExceptionally(refusal.get().toException(e));
                    return;
                }
                if (refusal.isPresent()) {
                    if (!refused) {
                        log.error("{}; retrying every {} ms until it is fixed", refusal.get().message(),
                                MAX_BACKOFF_MILLIS);
                    } else {
                        log.debug("scheduler {}: lease queue still refused: {}", settings.replicaName(),
                                AmqpConnections.describe(e));
                    }
                    refused = true;
                    backoffMillis = MAX_BACKOFF_MILLIS;
                } else {
                    log.warn("scheduler {} cannot reach the lease queue '{}': {}; retrying in {} ms",
                            settings.replicaName(), settings.leaseQueue(), AmqpConnections.describe(e), backoffMillis);
                }
                firstAttempt.complete(null);
            }
            if (!running) {
                return;
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
        }
    }

    private void connect(CountDownLatch closed) throws IOException, TimeoutException {
        Connection conn = connections.openUnrecovered("scheduler", settings.heartbeat());
        connection = conn;
        // Set once this attempt holds a consumer: before that, the loop reports what failed, once.
        AtomicBoolean standing = new AtomicBoolean();
        conn.addShutdownListener(cause -> lost(cause, closed, standing.get()));
        Channel declare = conn.createChannel();
        AMQP.Queue.DeclareOk ok = declare.queueDeclare(settings.leaseQueue(), true, false, false,
                Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
        declare.queueDeclare(settings.statusQueue(), true, false, false,
                Map.of("x-queue-type", "quorum", "x-max-length", 1, "x-overflow", "drop-head"));
        Channel pub = conn.createChannel();
        pub.addShutdownListener(cause -> channelLost(conn, cause, standing.get()));
        pub.confirmSelect();
        publishing = pub;
        // No state message and no consumer: no replica of this group ever ran, or all state is lost.
        // With a consumer, the state may be held unacknowledged by the active replica: add nothing.
        if (ok.getMessageCount() == 0 && ok.getConsumerCount() == 0) {
            log.info("scheduler group '{}' has no state yet; {} starts it", settings.group(), settings.replicaName());
            synchronized (this) {
                publishConfirmed(pub, SchedulerToken.empty(settings.replicaName(), clock.instant()));
            }
        }
        declare.close();
        Channel con = conn.createChannel();
        // consumer_timeout, for one, closes the channel and leaves the connection open.
        con.addShutdownListener(cause -> channelLost(conn, cause, standing.get()));
        con.basicQos(PREFETCH);
        consuming = con;
        con.basicConsume(settings.leaseQueue(), false, settings.replicaName(), new DefaultConsumer(con) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                delivered(envelope.getDeliveryTag(), body);
            }

            @Override
            public void handleCancel(String consumerTag) {
                // The broker cancelled the consumer (the lease queue was deleted): start over.
                log.warn("scheduler {}: the broker cancelled its consumer of '{}'", settings.replicaName(),
                        settings.leaseQueue());
                conn.abort();
            }
        });
        standing.set(true);
        log.info("scheduler {} standing by in group '{}' (lease queue '{}')", settings.replicaName(), settings.group(),
                settings.leaseQueue());
    }

    private void delivered(long tag, byte[] body) {
        SchedulerToken token;
        try {
            token = SchedulerToken.fromJson(mapper, body);
        } catch (IOException e) {
            // Still a lease message: holding it makes this replica active; the next renewal replaces it.
            log.warn("unreadable scheduler state in '{}' (it is replaced): {}", settings.leaseQueue(), e.getMessage());
            token = SchedulerToken.empty("unknown", clock.instant());
        }
        state.merge(token, tag, clock.instant()).ifPresent(onTakeover);
    }

    /**
     * A lease channel closed while its connection stays open: the state it held goes back to the
     * queue, so this replica must not go on as the active one. Closing the connection steps it
     * down ({@link #lost}) and the loop reconnects.
     */
    private void channelLost(Connection conn, ShutdownSignalException cause, boolean standing) {
        if (!cause.isHardError() && !cause.isInitiatedByApplication() && conn.isOpen()) {
            // Before it stands by, the attempt fails and the loop says why: no second line.
            log.atLevel(standing ? Level.WARN : Level.DEBUG).log("scheduler {}: a lease channel closed: {}",
                    settings.replicaName(), AmqpConnections.describe(cause));
            conn.abort();
        }
    }

    private void lost(ShutdownSignalException cause, CountDownLatch closed, boolean standing) {
        boolean wasLeading = state.leading();
        state.lost();
        consuming = null;
        publishing = null;
        if (running && standing) {
            log.warn("scheduler {} lost its lease connection{}: {}", settings.replicaName(),
                    wasLeading ? " and stepped down" : "", AmqpConnections.describe(cause));
        }
        closed.countDown();
    }

    /** The lease connection, while one is open. */
    Optional<Connection> connection() {
        return Optional.ofNullable(connection).filter(Connection::isOpen);
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        closeQuietly();
        try {
            loop.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        Connection conn = connection;
        if (conn != null && conn.isOpen()) {
            try {
                conn.close(2_000);
            } catch (IOException | RuntimeException e) {
                conn.abort(2_000);
            }
        }
    }
}
