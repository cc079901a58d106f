package dev.warren.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.consume.TopologyMismatchException;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The broker refusing a replica its lease queue (here PRECONDITION_FAILED: a classic queue holds
 * the name; ACCESS_REFUSED is SchedulerPermissionsTest's) fails starting with what to do, and while
 * running is logged once, retried quietly and reported when it works again.
 */
class SchedulerRefusalTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @RegisterExtension
    final SchedulerReplicas replicas = new SchedulerReplicas(queues, SchedulerElectionTest.Ticks::new);

    @Test
    void aClassicQueueHoldingTheLeaseNameFailsStartingWithTheQueueTheBrokersTextAndTheFix() throws Exception {
        String group = replicas.uniqueGroup("refused-start");
        Channel admin = adminChannel();
        admin.queueDeclare(SchedulerSettings.leaseQueue(group), true, false, false, null);
        Scheduler scheduler = replicas.replica(group, "r", queues.unique("refused-start-target"));

        assertThatThrownBy(scheduler::start)
                .isInstanceOf(TopologyMismatchException.class)
                .hasMessageContaining("lease queue '" + SchedulerSettings.leaseQueue(group) + "'")
                .hasMessageContaining("PRECONDITION_FAILED - inequivalent arg")
                .hasMessageContaining("rabbitmqctl delete_queue")
                .hasMessageContaining("--scheduler-group");
        assertThat(scheduler.leaseConnection()).as("no lease connection left open").isEmpty();
        assertThat(scheduler.isActive()).isFalse();
    }

    @Test
    void aRefusalWhileRunningIsLoggedOnceThenRetriedQuietlyUntilItWorksAgain() throws Exception {
        String group = replicas.uniqueGroup("refused-later");
        String lease = SchedulerSettings.leaseQueue(group);
        Channel admin = adminChannel();
        Scheduler scheduler = replicas.replica(group, "r", queues.unique("refused-later-target"));
        scheduler.start();
        await("the replica active").atMost(Duration.ofSeconds(20)).until(scheduler::isActive);

        Logger leaseLogger = (Logger) LoggerFactory.getLogger(SchedulerLease.class);
        Level before = leaseLogger.getLevel();
        leaseLogger.setLevel(Level.DEBUG);
        try (LogCapture logs = LogCapture.of(SchedulerLease.class.getName())) {
            // Deleting the lease cancels the replica's consumer; it reconnects after 0.5 s and finds a classic queue.
            admin.queueDelete(lease);
            admin.queueDeclare(lease, true, false, false, null);
            await("two quiet retries after the refusal").atMost(Duration.ofSeconds(30))
                    .until(() -> count(logs, "DEBUG", "still refused") >= 2);
            assertThat(count(logs, "ERROR", "")).as(logs.text()).isEqualTo(1);
            assertThat(logs.text()).contains("lease queue '" + lease + "'", "PRECONDITION_FAILED", "--scheduler-group");
            List<String> lines = logs.lines();
            int error = lines.indexOf(lines.stream().filter(line -> line.startsWith("ERROR ")).findFirst().orElseThrow());
            assertThat(lines.subList(error + 1, lines.size())).as("nothing above DEBUG after the ERROR")
                    .allMatch(line -> line.startsWith("DEBUG "));
            assertThat(scheduler.isActive()).isFalse();

            admin.queueDelete(lease);
            await("the replica back").atMost(Duration.ofSeconds(30))
                    .until(() -> count(logs, "INFO", "reaches its lease queue '" + lease + "' again") == 1);
            await("the replica active again").atMost(Duration.ofSeconds(20)).until(scheduler::isActive);
            assertThat(count(logs, "ERROR", "")).as(logs.text()).isEqualTo(1);
        } finally {
            leaseLogger.setLevel(before);
        }
    }

    private static long count(LogCapture logs, String level, String text) {
        return logs.lines().stream().filter(line -> line.startsWith(level + " ") && line.contains(text)).count();
    }

    private Channel adminChannel() throws Exception {
        Connection admin = replicas.connect("warren-test-refusal-admin");
        return admin.createChannel();
    }
}
