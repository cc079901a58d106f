package dev.warren.core.connection;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MetricsCollector;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.Durations;
import dev.warren.core.spi.ConnectionListener;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns Warren's broker connections: one for publishing and one for consuming, so a publisher
 * blocked by a broker alarm never stalls acknowledgements. Both recover automatically
 * (connection, channels, consumers) and report to every {@link ConnectionListener}.
 *
 * <p>Connections open on first use; when the broker is unreachable the call retries with
 * exponential backoff (0.5 s doubling to 5 s) until the startup timeout, then throws
 * {@link BrokerUnavailableException}. Thread-safe. {@link #close()} closes both.
 */
@Singleton
public final class AmqpConnections implements AutoCloseable {

    /**
     * The client property in which a worker's consuming connection names its task types, comma
     * separated and sorted; the console's workers page shows it.
     */
    public static final String TASK_TYPES_PROPERTY = "warren_task_types";

    private static final Logger log = LoggerFactory.getLogger(AmqpConnections.class);

    private final AmqpSettings settings;
    private final Set<ConnectionListener> listeners;
    private final Clock clock;
    private final MetricsCollector metricsCollector;
    // Written under "this": opening is rare and must happen once per role. Volatile so that
    // isOpen() reads them without the lock, which an opening call holds while it retries.
    private volatile Connection publishing;
    private volatile Connection consuming;
    private Connection reading;
    private OversizedBodies readingBodies;
    private volatile boolean closed;

    @Inject
    public AmqpConnections(AmqpSettings settings, Set<ConnectionListener> listeners, Clock clock,
                           MetricsCollector metricsCollector) {
        this.settings = settings;
        this.listeners = listeners;
        this.clock = clock;
        this.metricsCollector = metricsCollector;
    }

    /** The publishing connection ({@code <name>-publish}), opened on first call. */
    public synchronized Connection publishing() {
        checkOpen();
        if (publishing == null) {
            publishing = open(settings.connectionName() + "-publish", null, null);
        }
        return publishing;
    }

    /**
     * The consuming connection ({@code <name>}), opened on first call; deliveries run on
     * {@code executor}, which must have a thread per consumer.
     */
    public synchronized Connection consuming(ExecutorService executor) {
        return consuming(executor, null);
    }

    /**
     * The consuming connection as {@link #consuming(ExecutorService)} opens it, but reading bodies
     * over {@code oversized.limit()} into files instead of the heap ({@link OversizedBodies}); a
     * worker's deliveries come through here. Only the call that opens the connection decides.
     */
    public synchronized Connection consuming(ExecutorService executor, OversizedBodies oversized) {
        return consuming(executor, oversized, Map.of());
    }

    /**
     * The consuming connection as {@link #consuming(ExecutorService, OversizedBodies)} opens it, also
     * telling the broker {@code clientProperties} (shown by the management API under
     * {@code client_properties}; a worker names its task types there, {@link #TASK_TYPES_PROPERTY}).
     * Only the call that opens the connection decides.
     */
    public synchronized Connection consuming(ExecutorService executor, OversizedBodies oversized,
                                             Map<String, Object> clientProperties) {
        checkOpen();
        if (consuming == null) {
            consuming = open(settings.connectionName(), executor, oversized, clientProperties);
        }
        return consuming;
    }

    /**
     * The connection of tools that read queues message by message, such as the DLQ tools
     * ({@code <name>-read}), opened on first call, reading bodies over {@code oversized.limit()}
     * into files. Not the consuming connection: a worker that has stopped has shut down that
     * connection's delivery threads, and a tool in the same process must still work. Only the
     * call that opens the connection decides where bodies go ({@link #readingBodies()}).
     */
    public synchronized Connection reading(OversizedBodies oversized) {
        checkOpen();
        if (reading == null) {
            reading = open(settings.connectionName() + "-read", null, oversized);
            readingBodies = oversized;
        }
        return reading;
    }

    /** Where the {@link #reading} connection keeps bodies over its limit, once it is open. */
    public synchronized Optional<OversizedBodies> readingBodies() {
        return Optional.ofNullable(readingBodies);
    }

    /**
     * The publishing connection if {@link #publishing} has opened it; never opens one (so never
     * blocks). For observers such as the metrics module's queue poller.
     */
    public synchronized Optional<Connection> publishingIfOpened() {
        return Optional.ofNullable(publishing);
    }

    /**
     * A new connection of its own ({@code <name>-<suffix>}) that does not recover by itself: when
     * it closes, it stays closed, and the caller decides what that means and reconnects itself.
     * The scheduler's lease uses it, so that a recovered connection never looks like a lease still
     * held. One attempt; the caller owns and closes it ({@link #close()} does not).
     *
     * @throws IOException      when the broker is unreachable or refuses the connection
     * @throws TimeoutException when the broker does not answer in time
     */
    public Connection openUnrecovered(String suffix, Duration heartbeat) throws IOException, TimeoutException {
        // Not held while connecting: that may take seconds, and the other connections must not wait.
        synchronized (this) {
            checkOpen();
        }
        ConnectionFactory factory = ConnectionFactories.create(settings);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setRequestedHeartbeat((int) Math.max(1, heartbeat.toSeconds()));
        factory.setMetricsCollector(metricsCollector);
        return factory.newConnection(ConnectionFactories.addresses(settings), settings.connectionName() + "-" + suffix);
    }

    /**
     * Opens a connection of its own, {@code <name>-<role>}, for traffic beside the tasks such as
     * task events: in one try (no retry until the startup timeout), with automatic recovery, and
     * without amqp-client metrics (they count the task traffic). Broker flow control on it never
     * blocks task channels. Not part of {@link #isOpen()}; the caller owns it and closes it.
     *
     * @throws IOException      when the broker cannot be reached or refuses the user
     * @throws TimeoutException when the connection handshake times out
     */
    public Connection openSide(String role) throws IOException, TimeoutException {
        // Not held while connecting, as in openUnrecovered.
        synchronized (this) {
            checkOpen();
        }
        String name = settings.connectionName() + "-" + role;
        Connection connection = ConnectionFactories.create(settings).newConnection(ConnectionFactories.addresses(settings),
                name);
        watch(connection, name);
        return connection;
    }

    /**
     * True when every connection opened so far is open (no recovery in progress). Never blocks,
     * also while a connection is being opened: health checks ask it.
     */
    public boolean isOpen() {
        Connection publishingNow = publishing;
        Connection consumingNow = consuming;
        return !closed && (publishingNow == null || publishingNow.isOpen())
                && (consumingNow == null || consumingNow.isOpen());
    }

    /** The settings these connections use. */
    public AmqpSettings settings() {
        return settings;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("connections to " + settings.redactedUri() + " are closed");
        }
    }

    private Connection open(String name, ExecutorService executor, OversizedBodies oversized) {
        return open(name, executor, oversized, Map.of());
    }

    private Connection open(String name, ExecutorService executor, OversizedBodies oversized,
                            Map<String, Object> clientProperties) {
        ConnectionFactory factory = oversized == null ? ConnectionFactories.create(settings)
                : ConnectionFactories.create(settings, oversized);
        if (!clientProperties.isEmpty()) {
            Map<String, Object> properties = new HashMap<>(factory.getClientProperties());
            properties.putAll(clientProperties);
            factory.setClientProperties(properties);
        }
        factory.setMetricsCollector(metricsCollector);
        Instant deadline = clock.instant().plus(settings.startupTimeout());
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(untilDeadline(deadline))
                .retryOnException(e -> e instanceof IOException && !isAuthFailure(e) && !isTlsFailure(e)
                        && vhostRefusal(e) == null && clock.instant().isBefore(deadline))
                .build();
        Retry retry = Retry.of(name, config);
        retry.getEventPublisher().onRetry(event -> log.warn("broker {} not reachable ({}), retrying in {} (giving up after {})",
                settings.endpoints(), describe(event.getLastThrowable()), Durations.format(event.getWaitInterval()),
                Durations.format(settings.startupTimeout())));
        try {
            Connection connection = Retry.decorateCheckedSupplier(retry,
                    () -> factory.newConnection(executor, ConnectionFactories.addresses(settings), name)).get();
            watch(connection, name);
            log.info("connected to {} vhost '{}' as '{}' ({})", connection.getAddress().getHostAddress() + ":"
                    + connection.getPort(), settings.effectiveVhost(), settings.effectiveUsername(), name);
            return connection;
        } catch (Throwable e) {
            String refusal = vhostRefusal(e);
            String why = isAuthFailure(e)
                    ? "the broker refused user '" + settings.effectiveUsername() + "' (check the user, password and vhost permissions)"
                    : refusal != null
                    ? "the broker refused user '" + settings.effectiveUsername() + "' the vhost: " + refusal
                            + " (does the vhost exist, and has the user permissions in it?)"
                    : isTlsFailure(e)
                    ? "TLS handshake failed: " + describe(e) + " (is the broker's certificate signed by the CA in "
                            + (settings.tlsCaFile() == null ? "the JVM trust store; set --tls-ca-file" : settings.tlsCaFile())
                            + ", and issued for the host name in the URI?)"
                    : "no broker answered within " + Durations.format(settings.startupTimeout()) + ": " + describe(e);
            throw new BrokerUnavailableException("cannot connect to " + settings.endpoints() + " vhost '"
                    + settings.effectiveVhost() + "': " + why, e);
        }
    }

    /** Exponential backoff from 0.5 s doubling to 5 s, never waiting past the deadline. */
    private IntervalFunction untilDeadline(Instant deadline) {
        IntervalFunction backoff = IntervalFunction.ofExponentialBackoff(Duration.ofMillis(500), 2.0, Duration.ofSeconds(5));
        return attempt -> Math.max(1, Math.min(backoff.apply(attempt),
                Duration.between(clock.instant(), deadline).toMillis()));
    }

    private void watch(Connection connection, String name) {
        connection.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                log.warn("broker blocked publishing on '{}': {}", name, reason);
                listeners.forEach(l -> l.blocked(name, reason));
            }

            @Override
            public void handleUnblocked() {
                log.info("broker unblocked '{}'", name);
                listeners.forEach(l -> l.unblocked(name));
            }
        });
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                log.warn("connection '{}' lost: {}; recovering", name, describe(cause));
            }
        });
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecoveryStarted(Recoverable r) {
                    listeners.forEach(l -> l.recoveryStarted(name));
                }

                @Override
                public void handleRecovery(Recoverable r) {
                    log.info("connection '{}' recovered", name);
                    listeners.forEach(l -> l.recovered(name));
                }
            });
        }
    }

    /** A certificate or handshake problem: retrying cannot fix it. */
    private static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The broker's reason when it refused the vhost at open ({@code NOT_ALLOWED - access to vhost 'v'
     * refused for user 'u'}, {@code ... vhost v not found}): retrying cannot fix it. Null otherwise,
     * also for {@code vhost v is down}, which a restarting broker may answer for a while.
     */
    private static String vhostRefusal(Throwable e) {
        return BrokerReplies.all(e)
                .filter(r -> !r.channel() && r.is(AMQP.NOT_ALLOWED, AMQP.ACCESS_REFUSED)
                        && (r.text().contains("refused") || r.text().contains("not found")))
                .findFirst().map(BrokerReplies.Reply::text).orElse(null);
    }

    private static boolean isAuthFailure(Throwable e) {
        return e instanceof AuthenticationFailureException || e instanceof PossibleAuthenticationFailureException;
    }

    /** A one-line, password-free description of a connection failure. */
    public static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        if (e instanceof TimeoutException) {
            return "timed out";
        }
        return root.getClass().getSimpleName() + message;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(consuming);
        closeQuietly(reading);
        closeQuietly(publishing);
        consuming = null;
        reading = null;
        readingBodies = null;
        publishing = null;
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        // Close even when the connection is down: that also stops automatic recovery.
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            log.debug("closing connection failed", e);
            connection.abort(5_000);
        }
    }
}
