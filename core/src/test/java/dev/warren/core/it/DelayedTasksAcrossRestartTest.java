package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.testing.WarrenHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delayed tasks are held on disk by the broker: a restart in the middle of their delay loses none. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DelayedTasksAcrossRestartTest {

    private static final Logger log = LoggerFactory.getLogger(DelayedTasksAcrossRestartTest.class);

    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private PrivateRabbitNode node;

    @BeforeAll
    void startNode() {
        node = PrivateRabbitNode.builder().management(false).build();
        node.start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private long heldInDelayQueues() throws Exception {
        long held = 0;
        try (Connection connection = node.broker().connect("delay-count");
             Channel channel = connection.createChannel()) {
            for (int k = 0; k < DelayTopology.LEVELS; k++) {
                held += channel.queueDeclarePassive(DelayTopology.level(k)).getMessageCount();
            }
        }
        return held;
    }

    @Test
    void delayedTasksSurviveABrokerRestartAndArriveNoEarlierThanDue() throws Exception {
        String queue = TestQueues.unique("delay-restart");
        int n = 40;
        try (WarrenHarness warren = new WarrenHarness(node.amqpUri(), queue, new TestTasks())) {
            try (Connection connection = node.broker().connect("delay-declare")) {
                connection.createChannel().queueDeclare(queue, true, false, false, null);
            }
            Set<String> sent = new HashSet<>();
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", i));
                sent.add(task.id());
                // 3..22 s: most are still waiting in some delay queue when the broker stops.
                confirms.add(warren.publisher().publish(task, Duration.ofSeconds(3 + i % 20)));
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            long held = heldInDelayQueues();
            log.info("{} of {} delayed tasks held in delay queues when the broker stops", held, n);
            assertThat(held).as("tasks in the delay queues when the broker stops").isPositive();

            node.stop();
            node.start();

            try (Connection connection = node.broker().connect("delay-consumer")) {
                DelayedTasksTest.Arrivals arrivals = DelayedTasksTest.Arrivals.consume(connection, queue);
                await().atMost(Duration.ofSeconds(90)).until(() -> arrivals.size() >= n);
                for (DelayedTasksTest.Arrival arrival : arrivals.all()) {
                    assertThat(arrival.at()).as("arrival of %s", arrival.id()).isAfterOrEqualTo(arrival.dueAt());
                }
                assertThat(arrivals.all()).extracting(DelayedTasksTest.Arrival::id)
                        .containsExactlyInAnyOrderElementsOf(sent);
            }
        }
    }
}
