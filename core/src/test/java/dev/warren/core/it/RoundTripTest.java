package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RoundTripTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aPublishedTaskIsBoundToItsRecordRunAndItsResultReturned() throws Exception {
        String queue = queues.unique("roundtrip");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start()) {
            ObjectNode payload = CoreModule.newObjectMapper().createObjectNode()
                    .put("user_id", 123).put("user_name", "John Doe").put("unknown_field", "ignored");
            OutgoingTask task = OutgoingTask.of("greet", payload);

            TaskResult result = warren.publisher().request(task).get(10, TimeUnit.SECONDS);

            assertThat(result.status()).isEqualTo(TaskResult.SUCCEEDED);
            assertThat(result.taskId()).isEqualTo(task.id());
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.result().get("greeting").asText()).isEqualTo("hello John Doe");
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            assertThat(journal.payloads).containsExactly(new TestTasks.Greeting(123, "John Doe"));
            assertThat(journal.contexts.get(0).messageId()).isEqualTo(task.id());
            assertThat(journal.contexts.get(0).attempt()).isEqualTo(1);
            assertThat(journal.contexts.get(0).queue()).isEqualTo(queue);
            assertThat(journal.contexts.get(0).publishedAt()).isNotNull();
        }
    }

    @Test
    void aBareMessageWithOnlyDeliveryModeIsServedAndAcked() throws Exception {
        String queue = queues.unique("bare");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start();
             Connection connection = broker.connect("bare-producer");
             Channel channel = connection.createChannel()) {
            byte[] body = "{\"task_type\": \"greet\", \"user_id\": 7, \"user_name\": \"Ann\", \"email\": \"a@b.c\"}"
                    .getBytes(StandardCharsets.UTF_8);
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);

            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> journal.count("greet") == 1);
            assertThat(journal.payloads).containsExactly(new TestTasks.Greeting(7, "Ann"));
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
            assertThat(channel.basicGet(queue, false)).isNull();
        }
    }

    @Test
    void manyTasksFromSeveralThreadsAreAllConfirmedAndRunOnce() throws Exception {
        String queue = queues.unique("many");
        var settings = dev.warren.core.config.WorkerSettings.of(queue).withConcurrency(4).withPrefetch(20);
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "many", new TestTasks()).start()) {
            var mapper = CoreModule.newObjectMapper();
            var confirms = java.util.stream.IntStream.range(0, 500).parallel()
                    .mapToObj(i -> warren.publisher().publish("greet",
                            mapper.createObjectNode().put("user_id", i).put("user_name", "u" + i)))
                    .toList();
            for (var confirm : confirms) {
                confirm.get(10, TimeUnit.SECONDS);
            }
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> journal.count("greet") == 500);
            assertThat(journal.contexts.stream().map(c -> c.messageId()).distinct()).hasSize(500);
        }
    }
}
