package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A requester whose reply queue refuses every message ({@code x-max-length 0} with
 * {@code x-overflow reject-publish}: the broker nacks each result) cannot make a worker loop: a
 * failed task is dead-lettered once, a succeeding one runs a bounded number of times and is then
 * dead-lettered with {@code result undeliverable}. A policy that counts redeliveries as failed
 * attempts (as retry-dlx's ladder does) is used, so the requeues must not be charged as crashes.
 */
class UndeliverableResultsTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** Declares a reply queue the broker refuses every publish to. */
    private String fullReplyQueue(Channel channel) throws IOException {
        String replies = queues.unique("full-replies");
        channel.queueDeclare(replies, false, false, false, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
        return replies;
    }

    private static void publish(Channel channel, String queue, String id, String replyTo, String body) throws IOException {
        channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(id).replyTo(replyTo).deliveryMode(2)
                .build(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFailedTaskWhoseAnswerIsRefusedIsDeadLetteredOnceAndAcknowledged() throws Exception {
        String queue = queues.unique("refused-answer");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks(),
                     new CountingRedeliveries.Module()).start();
             Connection connection = broker.connect("refused-answer-test");
             Channel channel = connection.createChannel()) {
            publish(channel, queue, "fails-once", fullReplyQueue(channel), "{\"task_type\": \"explode\"}");

            await().atMost(Duration.ofSeconds(15)).until(() -> warren.worker().stats().count(TaskOutcome.DEAD_LETTERED) == 1
                    && warren.worker().tasksInFlight() == 0);
            // Were it put back, it would come round again within the 1 s requeue pause and add a copy.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1
                            && channel.queueDeclarePassive(queue).getMessageCount() == 0
                            && warren.worker().tasksInFlight() == 0);

            assertThat(warren.get(CountingRedeliveries.class).failures).singleElement()
                    .satisfies(failure -> assertThat(failure.cause()).isInstanceOf(IllegalStateException.class));
            assertThat(warren.worker().stats().resultsLost()).isEqualTo(1);
            assertThat(warren.worker().stats().errors()).isZero();
        }
    }

    @Test
    void aSucceedingTaskWhoseResultIsRefusedRunsThreeTimesThenIsDeadLetteredAsUndeliverable() throws Exception {
        String queue = queues.unique("refused-result");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks(),
                     new CountingRedeliveries.Module()).start();
             Connection connection = broker.connect("refused-result-test");
             Channel channel = connection.createChannel()) {
            String replies = fullReplyQueue(channel);
            publish(channel, queue, "succeeds-unheard", replies, "{\"task_type\": \"greet\", \"user_id\": 7, \"user_name\": \"ann\"}");

            GetResponse dead = await().atMost(Duration.ofSeconds(20))
                    .until(() -> channel.basicGet(queue + ".dlq", true), response -> response != null);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 0
                            && channel.queueDeclarePassive(queue).getMessageCount() == 0
                            && warren.worker().tasksInFlight() == 0);

            assertThat(dead.getProps().getMessageId()).isEqualTo("succeeds-unheard");
            assertThat(dead.getProps().getHeaders().get(TaskHeaders.ERROR_MESSAGE).toString())
                    .startsWith("result undeliverable: ").contains("'" + replies + "'");
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            assertThat(journal.count("greet")).isEqualTo(3);
            // The requeues were this worker's own doing: none was charged as a crashed attempt.
            assertThat(warren.get(CountingRedeliveries.class).failures).singleElement()
                    .satisfies(failure -> assertThat(failure.reason()).startsWith("result undeliverable: "));
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
            assertThat(warren.worker().stats().count(TaskOutcome.SUCCEEDED)).isZero();
        }
    }

    /** Core's default policy (dead-letter every failure), recording failures, counting redeliveries as failed attempts. */
    @Singleton
    static final class CountingRedeliveries extends FailuresTest.RecordingFailurePolicy {
        @Inject
        CountingRedeliveries(DeadLetterOnFailure deadLetters) {
            super(deadLetters);
        }

        @Override
        public boolean countsRedeliveries() {
            return true;
        }

        /** Installs the policy in place of core's default. */
        static final class Module extends AbstractModule {
            @Override
            protected void configure() {
                OptionalBinder.newOptionalBinder(binder(), FailurePolicy.class).setBinding().to(CountingRedeliveries.class);
            }
        }
    }
}
