package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.ResultListener;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ResultListener}: every result message on the reply consumer is heard, second ones included. */
class ResultListenerTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** Collects what a listener hears. */
    static final class Heard implements ResultListener {
        final List<String> taskIds = new CopyOnWriteArrayList<>();
        final List<TaskResult> results = new CopyOnWriteArrayList<>();
        final List<String> unreadable = new CopyOnWriteArrayList<>();

        @Override
        public void resultArrived(String taskId, TaskResult result) {
            taskIds.add(taskId);
            results.add(result);
        }

        @Override
        public void unreadableResult(String taskId, java.io.IOException error) {
            unreadable.add(taskId);
        }
    }

    @Test
    void aListenerHearsTheResultOfATaskPublishedForResult() throws Exception {
        String queue = queues.unique("results");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start()) {
            Heard heard = new Heard();
            warren.publisher().addResultListener(heard);
            ObjectNode payload = CoreModule.newObjectMapper().createObjectNode().put("user_id", 1).put("user_name", "Ann");
            OutgoingTask task = OutgoingTask.of("greet", payload);

            warren.publisher().publishForResult(task).get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).until(() -> heard.results.size() == 1);
            assertThat(heard.taskIds).containsExactly(task.id());
            assertThat(heard.results.get(0).status()).isEqualTo(TaskResult.SUCCEEDED);
            assertThat(heard.results.get(0).taskId()).isEqualTo(task.id());
        }
    }

    @Test
    void aSecondResultForTheSameTaskReachesListenersWhileRequestCompletesOnce() throws Exception {
        String queue = queues.unique("twice");
        // No worker: the test answers the task itself, twice, as a redelivered task's worker could.
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks());
             Connection connection = broker.connect("warren-test-double-reply");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            Heard heard = new Heard();
            warren.publisher().addResultListener(heard);
            OutgoingTask task = OutgoingTask.of("greet", CoreModule.newObjectMapper().createObjectNode()).toQueue(queue);

            CompletableFuture<TaskResult> requested = warren.publisher().request(task);
            GetResponse delivery = awaitTask(channel, queue);
            String replyTo = delivery.getProps().getReplyTo();
            for (String status : List.of(TaskResult.SUCCEEDED, TaskResult.DEAD_LETTERED)) {
                reply(channel, replyTo, task.id(), status);
            }
            reply(channel, replyTo, "not-json", null);

            assertThat(requested.get(10, TimeUnit.SECONDS).status()).isEqualTo(TaskResult.SUCCEEDED);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.results.size() == 2 && heard.unreadable.size() == 1);
            assertThat(heard.taskIds).containsExactly(task.id(), task.id());
            assertThat(heard.results).extracting(TaskResult::status)
                    .containsExactly(TaskResult.SUCCEEDED, TaskResult.DEAD_LETTERED);
        }
    }

    private static GetResponse awaitTask(Channel channel, String queue) {
        GetResponse[] got = new GetResponse[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> (got[0] = channel.basicGet(queue, true)) != null);
        return got[0];
    }

    private static void reply(Channel channel, String replyTo, String taskId, String status) throws Exception {
        String body = status == null ? "not json"
                : "{\"task_id\": \"" + taskId + "\", \"task_type\": \"greet\", \"status\": \"" + status
                        + "\", \"result\": null, \"error\": null, \"attempts\": 1}";
        channel.basicPublish("", replyTo, new AMQP.BasicProperties.Builder().correlationId(taskId).build(),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
