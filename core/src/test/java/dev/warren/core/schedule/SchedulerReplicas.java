package dev.warren.core.schedule;

import com.google.inject.Guice;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.task.TaskModule;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Scheduler replicas of one test on the shared broker, in groups of their own: registered after
 * the test's {@link QueueCleanup}, it closes the replicas and connections it made before the
 * queues are deleted.
 */
final class SchedulerReplicas implements AfterEachCallback {

    private final RabbitBroker broker = RabbitBroker.shared();
    private final QueueCleanup queues;
    private final Supplier<TaskModule> schedules;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    SchedulerReplicas(QueueCleanup queues, Supplier<TaskModule> schedules) {
        this.queues = queues;
        this.schedules = schedules;
    }

    /** A scheduler group of its own, its lease and status queues deleted after the test. */
    String uniqueGroup(String prefix) {
        String group = TestQueues.unique(prefix);
        queues.register(SchedulerSettings.leaseQueue(group));
        queues.register(SchedulerSettings.statusQueue(group));
        return group;
    }

    /** A replica named {@code name} of {@code group}, firing into {@code target}; not started. */
    Scheduler replica(String group, String name, String target) {
        var injector = Guice.createInjector(
                new CoreModule(AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-scheduler-" + name),
                        RouteTable.allTo(target)),
                new SchedulerModule(SchedulerSettings.of(group, name)), schedules.get());
        Scheduler scheduler = injector.getInstance(Scheduler.class);
        closeables.add(injector.getInstance(AmqpConnections.class));
        closeables.add(scheduler);
        return scheduler;
    }

    /** A plain connection to the shared broker, closed after the test. */
    Connection connect(String name) throws Exception {
        Connection connection = broker.connect(name);
        closeables.add(connection);
        return connection;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        closeables.clear();
    }
}
