package dev.warren.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.wire.TaskHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two scheduler replicas in one JVM on the real broker: one is active, the other stands by; when
 * the active one's lease connection closes, the other takes over and goes on from the last due
 * instant; after an outage with no replica at all, a third goes on from the state the last one
 * left. Every second is fired, each under its one id.
 */
class SchedulerElectionTest {

    record Tick(String label) {
    }

    static final TaskType<Tick, Void> TICK = TaskType.of("tick", Tick.class);

    static final class Ticks extends TaskModule {
        @Override
        protected void configureTasks() {
            schedule("tick", TICK, Schedule.every(Duration.ofSeconds(1)), new Tick("every second"),
                    MisfirePolicy.fireAll(100));
        }
    }

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @RegisterExtension
    final SchedulerReplicas replicas = new SchedulerReplicas(queues, Ticks::new);

    @Test
    void theStandbyTakesOverWhenTheActiveLosesItsLeaseAndEverySecondFiresAcrossTakeoverAndOutage() throws Exception {
        String group = replicas.uniqueGroup("election");
        String target = queues.unique("election-ticks");
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> mismatched = new ConcurrentLinkedQueue<>();
        Connection collector = replicas.connect("warren-test-election-collector");
        Channel channel = collector.createChannel();
        channel.queueDeclare(target, true, false, false, null);
        DeliverCallback collect = (tag, delivery) -> {
            String id = delivery.getProperties().getMessageId();
            Object due = delivery.getProperties().getHeaders().get(TaskHeaders.DUE_AT);
            Object schedule = delivery.getProperties().getHeaders().get(TaskHeaders.SCHEDULE);
            if (!id.equals("tick@" + due) || !"tick".equals(String.valueOf(schedule))) {
                mismatched.add(id + " due " + due + " schedule " + schedule);
            }
            seen.merge(id, 1, Integer::sum);
        };
        channel.basicConsume(target, true, collect, tag -> { });

        Scheduler a = replicas.replica(group, "a", target);
        a.start();
        await("a active").atMost(Duration.ofSeconds(20)).until(a::isActive);
        Scheduler b = replicas.replica(group, "b", target);
        b.start();
        await("three firings by a").atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= 3);
        assertThat(b.isActive()).as("b stands by while a is active").isFalse();

        int beforeTakeover = seen.size();
        a.leaseConnection().orElseThrow().abort();
        await("b active").atMost(Duration.ofSeconds(20)).until(b::isActive);
        await("three more firings by b").atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= beforeTakeover + 3);
        await("a back, standing by").atMost(Duration.ofSeconds(20))
                .until(() -> a.leaseConnection().isPresent() && !a.isActive());
        assertThat(b.isActive()).isTrue();
        JsonNode status = status(channel, group);

        // Then no replica at all for a while: the next one goes on from the state b left, firing the
        // seconds due meanwhile (less than the 5 s misfire threshold late, so whatever the policy).
        a.close();
        b.close();
        int beforeOutage = seen.size();
        Instant outageStart = Instant.now();
        await("an outage of 2.5 s").pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        Scheduler c = replicas.replica(group, "c", target);
        c.start();
        await("c active").atMost(Duration.ofSeconds(20)).until(c::isActive);
        await("c fired the outage and more").atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= beforeOutage + 4);
        c.close();
        assertThat(mismatched).as("firings whose id is not tick@<x-warren-due-at>").isEmpty();
        TreeSet<Instant> dues = new TreeSet<>();
        seen.keySet().forEach(id -> dues.add(Instant.parse(id.substring("tick@".length()))));
        List<Instant> expected = new ArrayList<>();
        for (Instant due = dues.first(); !due.isAfter(dues.last()); due = due.plusSeconds(1)) {
            expected.add(due);
        }
        assertThat(dues).as("every second from the first firing to the last, none missing").containsExactlyElementsOf(expected);
        long duplicates = seen.values().stream().filter(n -> n > 1).count();
        System.out.printf("election: %d seconds fired, %d published twice under the same id%n", dues.size(), duplicates);

        assertThat(dues.stream().filter(due -> due.isAfter(outageStart)).count())
                .as("seconds due after the outage began").isGreaterThanOrEqualTo(4);
        assertThat(status.path("active_replica").asText()).isEqualTo("b");
        assertThat(status.path("schedules").get(0).path("name").asText()).isEqualTo("tick");
        assertThat(status.path("schedules").get(0).path("spec").asText()).isEqualTo("every 1s");
    }

    @Test
    void replicasWhoseLeaseConsumerTheBrokerCancelsJoinAgainOnNewConnections() throws Exception {
        String group = replicas.uniqueGroup("election-cancel");
        String target = queues.unique("election-cancel-ticks");
        Connection admin = replicas.connect("warren-test-election-admin");
        admin.createChannel().queueDeclare(target, true, false, false, null);
        Scheduler a = replicas.replica(group, "a", target);
        a.start();
        await("a active").atMost(Duration.ofSeconds(20)).until(a::isActive);
        Scheduler b = replicas.replica(group, "b", target);
        b.start();
        await("b standing by").atMost(Duration.ofSeconds(20)).until(() -> b.leaseConnection().isPresent());
        Connection aBefore = a.leaseConnection().orElseThrow();
        Connection bBefore = b.leaseConnection().orElseThrow();

        // Deleting the lease queue cancels its consumers; their channels and connections stay open.
        admin.createChannel().queueDelete(SchedulerSettings.leaseQueue(group));

        await("both on new lease connections, one of them active").atMost(Duration.ofSeconds(20))
                .until(() -> a.leaseConnection().filter(c -> c != aBefore).isPresent()
                        && b.leaseConnection().filter(c -> c != bBefore).isPresent()
                        && (a.isActive() || b.isActive()));
        assertThat(a.isActive() && b.isActive()).as("both active").isFalse();
        assertThat(bBefore.isOpen()).as("the standby's old lease connection").isFalse();
    }

    private JsonNode status(Channel channel, String group) throws Exception {
        GetResponse response = channel.basicGet(SchedulerSettings.statusQueue(group), true);
        assertThat(response).as("a status message in %s", SchedulerSettings.statusQueue(group)).isNotNull();
        return CoreModule.newObjectMapper().readTree(response.getBody());
    }
}
