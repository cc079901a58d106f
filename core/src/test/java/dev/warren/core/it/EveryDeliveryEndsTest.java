package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever throws outside a handler, a listener, an interceptor or the handler itself with an
 * {@link Error}, the delivery ends visibly and the consumer goes on: with the default prefetch of
 * 1, a delivery left unacknowledged would stop the consumer for good while it looks healthy.
 */
class EveryDeliveryEndsTest {

    private static final int TASKS = 3;

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** Task types: {@code ok} returns, {@code broken} throws an {@link Error} as a missing class would. */
    static final class Tasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("ok", JsonNode.class, Ok.class);
            bindTask("broken", JsonNode.class, Broken.class);
        }
    }

    static final class Ok implements TaskHandler<JsonNode, String> {
        @Override
        public String handle(JsonNode payload, TaskContext context) {
            return "done";
        }
    }

    static final class Broken implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            throw new NoClassDefFoundError("com/example/MissingDependency");
        }
    }

    static final class ThrowingListener implements TaskListener {
        @Override
        public void taskStarted(String queue, String taskType, Instant publishedAt) {
            throw new IllegalStateException("listener bug on start");
        }

        @Override
        public void taskFinished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
            throw new IllegalStateException("listener bug on finish");
        }
    }

    static final class ThrowingInterceptor implements TaskInterceptor {
        @Override
        public Object intercept(TaskContext context, java.util.concurrent.Callable<Object> attempt) throws Exception {
            if (context.attempt() == 1 && context.headers().containsKey("x-test-intercept")) {
                throw new AssertionError("interceptor bug");
            }
            return attempt.call();
        }
    }

    private static OutgoingTask task(String type) {
        return OutgoingTask.of(type, CoreModule.newObjectMapper().createObjectNode());
    }

    @Test
    void aListenerThatThrowsNeitherFailsNorStallsTheTasks() throws Exception {
        String queue = queues.unique("throwing-listener");
        Module listener = binder -> Multibinder.newSetBinder(binder, TaskListener.class).addBinding()
                .toInstance(new ThrowingListener());
        try (LogCapture logs = LogCapture.of("dev.warren");
             WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new Tasks(), listener).start()) {
            for (int i = 0; i < TASKS; i++) {
                warren.publisher().publish(task("ok")).get(5, TimeUnit.SECONDS);
            }

            await().atMost(Duration.ofSeconds(15))
                    .until(() -> warren.worker().stats().count(TaskOutcome.SUCCEEDED) == TASKS);
            assertThat(warren.worker().stats().errors()).as("listener exceptions counted").isEqualTo(2L * TASKS);
            assertThat(logs.lines()).filteredOn(line -> line.contains("ThrowingListener threw"))
                    .as("logged once, with its stack trace").singleElement()
                    .satisfies(line -> assertThat(line).startsWith("ERROR").contains("listener bug on start"));
            try (Connection connection = broker.connect("throwing-listener-test");
                 Channel channel = connection.createChannel()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
                assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
                assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).isZero();
            }
            assertThat(warren.worker().isHealthy()).isTrue();
        }
    }

    @Test
    void aHandlerOrInterceptorThatThrowsAnErrorDeadLettersTheTaskAndTheConsumerGoesOn() throws Exception {
        String queue = queues.unique("throwing-error");
        Module interceptor = binder -> Multibinder.newSetBinder(binder, TaskInterceptor.class).addBinding()
                .toInstance(new ThrowingInterceptor());
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new Tasks(), interceptor).start();
             Connection connection = broker.connect("throwing-error-test");
             Channel channel = connection.createChannel()) {
            warren.publisher().publish(task("broken")).get(5, TimeUnit.SECONDS);
            OutgoingTask intercepted = task("ok");
            warren.publisher().publish(new OutgoingTask(intercepted.id(), "ok", intercepted.payload(), null,
                    java.util.Map.of("x-test-intercept", true), null, null)).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < TASKS; i++) {
                warren.publisher().publish(task("ok")).get(5, TimeUnit.SECONDS);
            }

            await().atMost(Duration.ofSeconds(15)).until(() -> warren.worker().stats().count(TaskOutcome.SUCCEEDED) == TASKS
                    && warren.worker().stats().count(TaskOutcome.DEAD_LETTERED) == 2);
            java.util.Map<String, String> errors = new java.util.HashMap<>();
            GetResponse dead;
            while ((dead = channel.basicGet(queue + ".dlq", true)) != null) {
                var headers = dead.getProps().getHeaders();
                errors.put(String.valueOf(headers.get(TaskHeaders.ERROR)), String.valueOf(headers.get(TaskHeaders.ERROR_MESSAGE)));
            }
            assertThat(errors).containsOnly(
                    java.util.Map.entry(NoClassDefFoundError.class.getName(), "com/example/MissingDependency"),
                    java.util.Map.entry(AssertionError.class.getName(), "interceptor bug"));
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
            assertThat(warren.worker().isHealthy()).isTrue();
        }
    }
}
