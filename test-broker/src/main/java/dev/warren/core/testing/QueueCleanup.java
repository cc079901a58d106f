package dev.warren.core.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the queues a test registered once it is over, with the queues Warren derives from
 * them: {@code <q>.dlq} and every {@code <q>.retry.<delay>}.
 *
 * <pre>{@code
 * @RegisterExtension
 * final QueueCleanup queues = new QueueCleanup();
 *
 * @Test
 * void roundTrips() {
 *     String queue = queues.unique("roundtrip");   // roundtrip-3fa94c0e, deleted after the test
 *     ...
 * }
 * }</pre>
 *
 * <p>Register it as an instance field: it deletes after each test, after the test's
 * {@code @AfterEach} methods, on a fresh connection to the broker. Retry queues are found through
 * the broker's management API; without one only {@code <q>} and {@code <q>.dlq} (and queues
 * registered explicitly) are deleted. Deleting a queue that does not exist is not an error.
 * Registering is thread safe.
 */
public final class QueueCleanup implements AfterEachCallback {

    private static final Logger log = LoggerFactory.getLogger(QueueCleanup.class);

    private final Supplier<RabbitBroker> broker;
    private final Set<String> queues = ConcurrentHashMap.newKeySet();

    /** Cleans up on {@link RabbitBroker#shared()}, located only when there is something to delete. */
    public QueueCleanup() {
        this(RabbitBroker::shared);
    }

    /** Cleans up on the given broker, e.g. a {@link PrivateRabbitNode#broker()}. */
    public QueueCleanup(RabbitBroker broker) {
        this(() -> broker);
    }

    private QueueCleanup(Supplier<RabbitBroker> broker) {
        this.broker = broker;
    }

    /** A {@linkplain TestQueues#unique unique} queue name, registered for deletion. */
    public String unique(String prefix) {
        return register(TestQueues.unique(prefix));
    }

    /** Registers a queue (and its {@code .dlq} and {@code .retry.*} queues) for deletion. */
    public String register(String queue) {
        queues.add(queue);
        return queue;
    }

    /**
     * Deletes the registered queues and forgets them; called after each test.
     *
     * @throws IllegalStateException if some could not be deleted, after trying all of them
     */
    public void deleteRegistered() {
        List<String> registered = List.copyOf(queues);
        queues.removeAll(registered);
        if (registered.isEmpty()) {
            return;
        }
        RabbitBroker target = broker.get();
        Set<String> doomed = withDerivedQueues(registered, target);
        var failures = new ArrayList<Exception>();
        try (Connection connection = target.connect("warren-test-queue-cleanup")) {
            Channel channel = connection.createChannel();
            for (String queue : doomed) {
                try {
                    channel.queueDelete(queue);
                } catch (IOException e) {
                    failures.add(e);
                    // A refused delete closes the channel; the rest need a new one.
                    channel = connection.createChannel();
                }
            }
        } catch (IOException | TimeoutException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            var failure = new IllegalStateException("cannot delete all of " + doomed + " on " + target);
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
        log.debug("Deleted test queues {}", doomed);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        deleteRegistered();
    }

    private static Set<String> withDerivedQueues(List<String> registered, RabbitBroker target) {
        var doomed = new LinkedHashSet<String>();
        List<String> existing = target.management().map(ManagementApi::queueNames).orElse(List.of());
        if (target.management().isEmpty()) {
            log.debug("{} has no management API; retry queues of {} cannot be found", target, registered);
        }
        for (String queue : registered) {
            doomed.add(queue);
            doomed.add(queue + ".dlq");
            existing.stream().filter(name -> name.startsWith(queue + ".retry.")).forEach(doomed::add);
        }
        return doomed;
    }
}
