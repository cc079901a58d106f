package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.schedule.Schedule;
import dev.warren.core.schedule.Scheduler;
import dev.warren.core.schedule.SchedulerModule;
import dev.warren.core.schedule.SchedulerSettings;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.core.testing.LeastPrivilegeNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.wire.TaskHeaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A scheduler replica needs no more than the permissions docs/scheduling.md lists, and fails starting without them. */
class SchedulerPermissionsTest {

    private static final String SCHEDULER = "warren-scheduler";

    record Beat(String label) {
    }

    static final TaskType<Beat, Void> BEAT = TaskType.of("beat", Beat.class);

    static final class Beats extends TaskModule {
        @Override
        protected void configureTasks() {
            schedule("beat", BEAT, Schedule.every(Duration.ofSeconds(1)), new Beat("lp"));
        }
    }

    @Test
    void aSchedulerWithTheDocumentedPermissionsBecomesActiveAndFires() throws Exception {
        try (LeastPrivilegeNode node = LeastPrivilegeNode.start(SCHEDULER)) {
            String queue = node.grantDocumented(TestQueues.unique("sched-lp"));
            String group = "default";
            String q = queue.replace(".", "\\.");
            // docs/scheduling.md, "Permissions": the worker's for `queue`, plus the scheduler's for the group.
            node.setPermissions(SCHEDULER, "^(" + q + "(\\.dlq|\\.retry\\..+)?|warren\\.scheduler\\.default(\\.status)?)$",
                    "^amq\\.default$", "^(" + q + "(\\.retry\\..+)?|warren\\.scheduler\\.default)$");
            try (Connection worker = node.factory(LeastPrivilegeNode.WORKER).newConnection();
                 Channel channel = worker.createChannel()) {
                channel.queueDeclare(queue, true, false, false, null);
                Injector injector = Guice.createInjector(
                        new CoreModule(AmqpSettings.of(node.uri(SCHEDULER)).withConnectionName("warren-test-lp-scheduler"),
                                RouteTable.allTo(queue)),
                        new SchedulerModule(SchedulerSettings.of(group, "lp")), new Beats());
                try (AmqpConnections ignored = injector.getInstance(AmqpConnections.class);
                     Scheduler scheduler = injector.getInstance(Scheduler.class)) {
                    scheduler.start();
                    await("a firing in " + queue).atMost(Duration.ofSeconds(30))
                            .until(() -> channel.queueDeclarePassive(queue).getMessageCount() >= 1);
                }
                GetResponse firing = channel.basicGet(queue, true);
                assertThat(firing.getProps().getMessageId()).startsWith("beat@");
                assertThat(firing.getProps().getHeaders()).containsKey(TaskHeaders.SCHEDULE);
            }
        }
    }

    @Test
    void aSchedulerRefusedReadOnItsLeaseQueueFailsStartingNamingTheQueueAndWhatToGrant() throws Exception {
        try (LeastPrivilegeNode node = LeastPrivilegeNode.start(SCHEDULER)) {
            String queue = node.grantDocumented(TestQueues.unique("sched-refused"));
            String q = queue.replace(".", "\\.");
            // The documented permissions less read on the lease queue.
            node.setPermissions(SCHEDULER, "^(" + q + "(\\.dlq|\\.retry\\..+)?|warren\\.scheduler\\.default(\\.status)?)$",
                    "^amq\\.default$", "^(" + q + "(\\.retry\\..+)?)$");
            Injector injector = Guice.createInjector(
                    new CoreModule(AmqpSettings.of(node.uri(SCHEDULER)).withConnectionName("warren-test-refused-scheduler"),
                            RouteTable.allTo(queue)),
                    new SchedulerModule(SchedulerSettings.of("default", "refused")), new Beats());
            try (AmqpConnections ignored = injector.getInstance(AmqpConnections.class);
                 Scheduler scheduler = injector.getInstance(Scheduler.class)) {
                assertThatThrownBy(scheduler::start)
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("lease queue 'warren.scheduler.default'")
                        .hasMessageContaining("ACCESS_REFUSED - access to queue 'warren.scheduler.default'")
                        .hasMessageContaining("grant the user configure on 'warren.scheduler.default'")
                        .hasMessageContaining("read on 'warren.scheduler.default'");
                assertThat(scheduler.isActive()).isFalse();
            }
        }
    }
}
