package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.task.TaskExpiredException;
import dev.warren.core.task.TaskTimeLimitExceeded;
import dev.warren.core.it.TypedTasks.ResizeImage;
import dev.warren.core.it.TypedTasks.ResizeResult;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.TaskFailedException;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Typed task types end to end: a TaskType constant, typed publish and request, options at registration. */
class TypedTasksTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aTypedPublishHandsTheHandlerTheRecord() throws Exception {
        String queue = queues.unique("typedpub");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TypedTasks()).start()) {
            warren.publisher().publish(TypedTasks.RESIZE, new ResizeImage("https://img.example/cat.png", 640))
                    .get(5, TimeUnit.SECONDS);

            TypedTasks.Seen seen = warren.get(TypedTasks.Seen.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.of(TypedTasks.RESIZE).size() == 1);
            assertThat(seen.of(TypedTasks.RESIZE).get(0).payload())
                    .isEqualTo(new ResizeImage("https://img.example/cat.png", 640));
        }
    }

    @Test
    void aTypedRequestCompletesWithTheHandlersResultAsItsRecord() throws Exception {
        String queue = queues.unique("typedreq");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TypedTasks()).start()) {
            ResizeImage cat = new ResizeImage("https://img.example/cat.png", 640);

            ResizeResult result = warren.publisher().request(TypedTasks.RESIZE, cat).get(10, TimeUnit.SECONDS);
            List<ResizeResult> variants = warren.publisher().request(TypedTasks.VARIANTS, cat).get(10, TimeUnit.SECONDS);

            assertThat(result).isEqualTo(new ResizeResult("https://img.example/cat.png?w=640", 640));
            assertThat(variants).containsExactly(new ResizeResult("https://img.example/cat.png?w=640", 640),
                    new ResizeResult("https://img.example/cat.png?w=320", 320));
        }
    }

    @Test
    void aTypedRequestOfADeadLetteredTaskFailsWithTheTasksIdTypeAndError() throws Exception {
        String queue = queues.unique("typedfail");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TypedTasks()).start()) {
            var request = warren.publisher().request(TypedTasks.BROKEN, new ResizeImage("https://img.example/dog.png", 64));

            assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(TaskFailedException.class, failed -> {
                        assertThat(failed.taskType()).isEqualTo("resize_broken");
                        assertThat(failed.taskId()).isNotBlank();
                        assertThat(failed.error()).isEqualTo("image server down for https://img.example/dog.png");
                        assertThat(failed.attempts()).isEqualTo(1);
                        assertThat(failed).hasMessage("task " + failed.taskId() + " (resize_broken) was dead-lettered"
                                + " after 1 attempt: image server down for https://img.example/dog.png");
                    });
            GetResponse dead = drain(broker, queue + ".dlq", 1).get(0);
            assertThat(dead.getProps().getType()).isEqualTo("resize_broken");
        }
    }

    @Test
    void aLambdaRegisteredHandlerRunsAndAVoidRequestCompletesWithNull() throws Exception {
        String queue = queues.unique("typedlambda");
        TypedTasks tasks = new TypedTasks();
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, tasks).start()) {
            Void result = warren.publisher().request(TypedTasks.WARM_CACHE, new ResizeImage("https://img.example/a.png", 8))
                    .get(10, TimeUnit.SECONDS);

            assertThat(result).isNull();
            assertThat(tasks.lambdaSeen.of(TypedTasks.WARM_CACHE)).extracting(TypedTasks.Seen.Run::payload)
                    .containsExactly(new ResizeImage("https://img.example/a.png", 8));
        }
    }

    @Test
    void aTaskOlderThanItsMaxAgeGoesToTheDlqAsExpiredWithoutRunningWhileFreshAndUnstampedOnesRun() throws Exception {
        String queue = queues.unique("typedage");
        TypedTasks tasks = new TypedTasks();
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, tasks).start();
             Connection connection = broker.connect("typedage-producer");
             Channel channel = connection.createChannel()) {
            AMQP.BasicProperties plain = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            Map<String, Instant> stamps = Map.of("old", Instant.now().minus(Duration.ofMinutes(5)), "fresh", Instant.now());
            for (String id : List.of("old", "fresh", "unstamped")) {
                AMQP.BasicProperties.Builder props = plain.builder().messageId(id);
                if (stamps.containsKey(id)) {
                    props.timestamp(Date.from(stamps.get(id)));
                }
                channel.basicPublish("", queue, props.build(), ("{\"task_type\": \"fresh_only\", \"image_url\": \"" + id
                        + "\", \"width\": 1}").getBytes(StandardCharsets.UTF_8));
            }

            GetResponse dead = drain(broker, queue + ".dlq", 1).get(0);
            assertThat(dead.getProps().getMessageId()).isEqualTo("old");
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertThat(headers.get(TaskHeaders.ERROR).toString()).isEqualTo(TaskExpiredException.class.getName());
            assertThat(headers.get(TaskHeaders.ERROR_MESSAGE).toString())
                    .startsWith("expired: task old (fresh_only) was published at ")
                    .endsWith(" ago, over its max age of 1m");
            await().atMost(Duration.ofSeconds(10)).until(() -> tasks.lambdaSeen.of(TypedTasks.FRESH_ONLY).size() == 2);
            assertThat(tasks.lambdaSeen.of(TypedTasks.FRESH_ONLY)).extracting(r -> r.payload().imageUrl())
                    .containsExactlyInAnyOrder("fresh", "unstamped");
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).isZero();
        }
    }

    @Test
    void aTimeLimitGivenAtRegistrationInterruptsTheAttempt() throws Exception {
        String queue = queues.unique("typedlimit");
        TypedTasks tasks = new TypedTasks();
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, tasks).start()) {
            OutgoingTask task = warren.publisher().task(TypedTasks.SLOW, new ResizeImage("https://img.example/big.png", 9000));
            warren.publisher().publish(task).get(5, TimeUnit.SECONDS);

            GetResponse dead = drain(broker, queue + ".dlq", 1).get(0);
            assertThat(dead.getProps().getMessageId()).isEqualTo(task.id());
            assertThat(dead.getProps().getHeaders().get(TaskHeaders.ERROR).toString())
                    .isEqualTo(TaskTimeLimitExceeded.class.getName());
            assertThat(dead.getProps().getHeaders().get(TaskHeaders.ERROR_MESSAGE).toString())
                    .isEqualTo("task " + task.id() + " (slow_resize) ran past its time limit of 200ms and was interrupted");
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks.lambdaSeen.of(TypedTasks.SLOW).size() == 1);
            assertThat(tasks.lambdaSeen.of(TypedTasks.SLOW).get(0).interrupted()).isTrue();
        }
    }

    private static List<GetResponse> drain(RabbitBroker broker, String queue, int expected) throws Exception {
        List<GetResponse> messages = new ArrayList<>();
        try (Connection connection = broker.connect("typed-drain"); Channel channel = connection.createChannel()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                GetResponse response;
                while ((response = channel.basicGet(queue, true)) != null) {
                    messages.add(response);
                }
                return messages.size() >= expected;
            });
        }
        return messages;
    }
}
