package dev.warren.console;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.publish.RouteTable;
import dev.warren.events.TaskEvents;
import dev.warren.retry.DeadLetterQueue;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The broker as one signed-in user sees it: management API calls with the user's credentials, and
 * AMQP connections opened as the user (on first use, closed with {@link #close()}), so RabbitMQ's
 * permissions decide what the user may read and do. Thread safe.
 */
final class UserBroker implements AutoCloseable {

    /**
     * Connection names start with this, followed by the user. The workers page leaves them out: they
     * consume only dead-letter queues and the event stream, never a work queue.
     */
    static final String CONNECTION_NAME_PREFIX = "warren-console@";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final long PROBE_TIMEOUT_MILLIS = 5_000;
    /** Where a replay publishes: the default exchange, whose permission resource is named so. */
    private static final String DEFAULT_EXCHANGE_RESOURCE = "amq.default";

    private static final String PROBE_EXCHANGE = "amq.direct";
    private static final String PROBE_ROUTING_KEY = "warren-console-permission-probe";

    private final ManagementClient management;
    private final AmqpSettings amqp;
    private final String eventsStream;
    // Guarded by this: the injector (and its connections) is created on first AMQP use.
    private Injector injector;
    private ReplayEvents replayEvents;
    private boolean closed;

    UserBroker(ConsoleSettings settings, HttpClient http, String user, String password) {
        this.management = new ManagementClient(http, settings.managementUrl(), user, password);
        this.amqp = settings.broker().toBuilder().username(user).password(password)
                .connectionName(CONNECTION_NAME_PREFIX + user).startupTimeout(CONNECT_TIMEOUT).build();
        this.eventsStream = settings.eventsStream();
    }

    ManagementClient management() {
        return management;
    }

    /** The vhost the console works in. */
    String vhost() {
        return amqp.effectiveVhost();
    }

    String user() {
        return management.user();
    }

    /** Warren's dead-letter tools acting through this user's own connections. */
    DeadLetterQueue deadLetters() {
        return injector().getInstance(DeadLetterQueue.class);
    }

    /** Where this user's replays are told as {@code replayed} task events (opened on first use). */
    synchronized ReplayEvents replayEvents() {
        if (replayEvents == null) {
            replayEvents = new ReplayEvents(eventsStream, injector().getInstance(AmqpConnections.class),
                    CONNECTION_NAME_PREFIX + user(), Clock.systemUTC());
        }
        return replayEvents;
    }

    /** A reader of the task-event stream {@code stream} on this user's connection (each read on a channel of its own). */
    TaskEvents taskEvents(String stream) throws IOException {
        return new TaskEvents(injector().getInstance(AmqpConnections.class).publishing(), stream);
    }

    /**
     * Whether the broker lets this user publish to the default exchange (write on
     * {@value #DEFAULT_EXCHANGE_RESOURCE}), which replay needs. Side-effect free: publishes an empty
     * message with an empty routing key, which no queue can have, so nothing is delivered, on a
     * channel of its own; the broker closes that channel when it refuses.
     */
    boolean mayPublishToDefaultExchange() throws IOException {
        try (Channel channel = injector().getInstance(AmqpConnections.class).publishing().createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", "", false, new AMQP.BasicProperties(), new byte[0]);
            channel.waitForConfirmsOrDie(PROBE_TIMEOUT_MILLIS);
            return true;
        } catch (ShutdownSignalException | IOException e) {
            if (Refusals.isAccessRefused(e)) {
                return false;
            }
            throw e instanceof IOException io ? io : new IOException("probing write on " + DEFAULT_EXCHANGE_RESOURCE
                    + " as '" + user() + "' failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while probing write on " + DEFAULT_EXCHANGE_RESOURCE, e);
        } catch (TimeoutException e) {
            throw new IOException("no confirm within " + PROBE_TIMEOUT_MILLIS + " ms while probing write on "
                    + DEFAULT_EXCHANGE_RESOURCE, e);
        }
    }

    /**
     * Whether the broker lets this user write to queue {@code name}, which the console requires for
     * purging. Side-effect free: unbinds the queue from {@value #PROBE_EXCHANGE} with a routing key no
     * binding has, which RabbitMQ checks (write on the queue, read on that exchange) and then does
     * nothing; on a channel of its own, which the broker closes when it refuses.
     */
    boolean mayWriteQueue(String name) throws IOException {
        try (Channel channel = injector().getInstance(AmqpConnections.class).publishing().createChannel()) {
            channel.queueUnbind(name, PROBE_EXCHANGE, PROBE_ROUTING_KEY);
            return true;
        } catch (IOException e) {
            if (Refusals.isAccessRefused(e)) {
                return false;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IOException("no answer from the broker while probing write on queue '" + name + "'", e);
        }
    }

    /** Whether queue {@code name} exists in the vhost (a passive declare on a channel of its own). */
    boolean queueExists(String name) throws IOException {
        try (Channel channel = injector().getInstance(AmqpConnections.class).publishing().createChannel()) {
            channel.queueDeclarePassive(name);
            return true;
        } catch (IOException e) {
            if (BrokerReplies.of(e.getCause()).filter(r -> r.channel() && r.is(AMQP.NOT_FOUND)).isPresent()) {
                return false;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IOException("no answer from the broker while looking for queue '" + name + "'", e);
        }
    }

    private synchronized Injector injector() {
        if (closed) {
            throw new IllegalStateException("the session of '" + user() + "' has ended");
        }
        if (injector == null) {
            // Any default route: the console only republishes with explicit queue names.
            injector = Guice.createInjector(new CoreModule(amqp, RouteTable.allTo("task_queue")));
        }
        return injector;
    }

    /** Whether {@link #close()} was called: the session has ended. */
    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (replayEvents != null) {
            replayEvents.close();   // flushes before the connections close
        }
        if (injector != null) {
            injector.getInstance(AmqpConnections.class).close();
        }
    }
}
