package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.consume.TopologyMismatchException;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskContext;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dispatch, acknowledgement, redelivery, shutdown and the consumer watchdog on the shared broker. */
class WorkerBehaviourTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final ObjectMapper mapper = CoreModule.newObjectMapper();

    private void publish(WarrenHarness warren, String type, Map<String, Object> fields, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            warren.publisher().publish(type, mapper.valueToTree(fields)).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void prefetchOneDispatchesFairlyBetweenASlowAndAFastWorker() throws Exception {
        String queue = queues.unique("fairness");
        WorkerSettings settings = WorkerSettings.of(queue);
        try (WarrenHarness fast = new WarrenHarness(broker.amqpUri(), settings, "fast", new TestTasks()).start();
             WarrenHarness slow = new WarrenHarness(broker.amqpUri(), settings, "slow", new SlowGreetings()).start()) {
            for (int i = 0; i < 40; i++) {
                fast.publisher().publish("greet", mapper.createObjectNode().put("user_id", i).put("user_name", "u"))
                        .get(5, TimeUnit.SECONDS);
            }
            TestTasks.Journal fastJournal = fast.get(TestTasks.Journal.class);
            SlowGreetings.Counter slowCounter = slow.get(SlowGreetings.Counter.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> fastJournal.count("greet") + slowCounter.count.get() == 40);
            // The slow worker holds one task at a time (prefetch 1), so the fast one takes nearly all the rest.
            assertThat(fastJournal.count("greet")).isGreaterThan(3L * slowCounter.count.get());
        }
    }

    @Test
    void anUnackedTaskIsRedeliveredWhenTheWorkersConnectionDies() throws Exception {
        String queue = queues.unique("redeliver");
        var management = broker.management().orElseThrow();
        WorkerSettings settings = WorkerSettings.of(queue);
        try (WarrenHarness first = new WarrenHarness(broker.amqpUri(), settings, "first-" + queue, new TestTasks()).start()) {
            TestTasks.Journal firstJournal = first.get(TestTasks.Journal.class);
            first.publisher().publish("block", mapper.createObjectNode().put("n", 1)).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.worker().tasksInFlight() == 1);
            try (WarrenHarness second = new WarrenHarness(broker.amqpUri(), settings, "second-" + queue, new TestTasks()).start()) {
                management.awaitConnectionNamed("warren-test-first-" + queue, Duration.ofSeconds(15));
                management.closeConnectionsNamed("warren-test-first-" + queue);
                TestTasks.Journal secondJournal = second.get(TestTasks.Journal.class);
                // The broker requeues the unacked task; a worker (the second, or the first once recovered) gets it again.
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        secondJournal.count("block") + firstJournal.count("block") >= 1);
                TaskContext redelivered = secondJournal.count("block") == 1
                        ? secondJournal.contexts.get(0) : firstJournal.contexts.get(0);
                assertThat(redelivered.redelivered()).isTrue();
                firstJournal.gate.countDown();
            }
        }
    }

    @Test
    void gracefulStopFinishesAndAcksInFlightTasksAndLeavesTheRestQueued() throws Exception {
        String queue = queues.unique("graceful");
        WorkerSettings settings = WorkerSettings.of(queue).withConcurrency(2).withShutdownTimeout(Duration.ofSeconds(10));
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "graceful", new TestTasks()).start();
             Connection connection = broker.connect("graceful-test");
             Channel channel = connection.createChannel()) {
            publish(warren, "sleep", Map.of("ms", 800), 6);
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.worker().tasksInFlight() == 2);

            int left = CompletableFuture.supplyAsync(() -> warren.worker().stop()).get(15, TimeUnit.SECONDS);

            assertThat(left).isZero();
            // The two in flight finished; at most two more started between the await and stop(), so
            // at least two tasks are still queued for the redelivery check below.
            long done = warren.worker().stats().count(TaskOutcome.SUCCEEDED);
            assertThat(done).isBetween(2L, 4L);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(6 - (int) done);
            // Nothing was redelivered: every remaining message is a first delivery.
            for (int i = 0; i < 6 - done; i++) {
                GetResponse next = channel.basicGet(queue, true);
                assertThat(next).as("remaining message %d of %d", i + 1, 6 - done).isNotNull();
                assertThat(next.getEnvelope().isRedeliver()).as("redelivered").isFalse();
            }
        }
    }

    @Test
    void gracefulStopPutsPrefetchedTasksBackUnstartedAndUnchanged() throws Exception {
        String queue = queues.unique("putback");
        WorkerSettings settings = WorkerSettings.of(queue).withPrefetch(50).withShutdownTimeout(Duration.ofSeconds(10));
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "putback", new TestTasks()).start();
             LogCapture logs = LogCapture.of("dev.warren");
             Connection connection = broker.connect("putback-test");
             Channel channel = connection.createChannel()) {
            publish(warren, "sleep", Map.of("ms", 300), 30);
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            // All 30 are with the worker: one running, the rest in its prefetch buffer.
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 0);

            int left = CompletableFuture.supplyAsync(() -> warren.worker().stop()).get(15, TimeUnit.SECONDS);

            assertThat(left).isZero();
            Set<String> ran = new HashSet<>();
            journal.contexts.forEach(context -> ran.add(context.messageId()));
            assertThat(ran).hasSizeBetween(1, 3);
            // The rest is back in the queue: first deliveries, no attempt spent, nothing run twice.
            Set<String> queued = new HashSet<>();
            GetResponse next;
            while ((next = channel.basicGet(queue, true)) != null) {
                assertThat(next.getEnvelope().isRedeliver()).isFalse();
                assertThat(next.getProps().getContentType()).isEqualTo("application/json");
                assertThat(next.getProps().getType()).isEqualTo("sleep");
                Map<String, Object> headers = next.getProps().getHeaders();
                assertThat(headers == null ? Map.of() : headers).doesNotContainKeys(TaskHeaders.ERROR, TaskHeaders.ATTEMPT);
                assertThat(mapper.readTree(next.getBody()).path("ms").asInt()).isEqualTo(300);
                queued.add(next.getProps().getMessageId());
            }
            assertThat(queued).hasSize(30 - ran.size()).doesNotContainAnyElementsOf(ran);
            assertThat(logs.lines()).noneMatch(line -> line.startsWith("WARN") || line.startsWith("ERROR"));
            assertThat(logs.text()).contains("put " + queued.size() + " prefetched task(s) back on '" + queue + "' unstarted");
        }
    }

    @Test
    void aConsumerCancelledByTheBrokerConsumesAgain() throws Exception {
        String queue = queues.unique("cancelled");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start();
             Connection connection = broker.connect("cancel-test");
             Channel channel = connection.createChannel()) {
            assertThat(warren.worker().isHealthy()).isTrue();
            // Deleting the queue makes the broker send basic.cancel to its consumers.
            channel.queueDelete(queue);
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().consumersRegistered() == 0);
            assertThat(warren.worker().isHealthy()).isFalse();
            await().atMost(Duration.ofSeconds(15)).until(() -> warren.worker().isHealthy());

            publish(warren, "greet", Map.of("user_id", 1, "user_name", "again"), 1);
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> journal.count("greet") == 1);
        }
    }

    @Test
    void aQueueThatExistsWithOtherArgumentsIsAClearErrorNamingIt() throws Exception {
        String queue = queues.unique("drift");
        try (Connection connection = broker.connect("drift-test"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-max-length", 5));
        }
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks())) {
            assertThatThrownBy(() -> warren.worker().start())
                    .isInstanceOf(TopologyMismatchException.class)
                    .hasMessageContaining("queue '" + queue + "' already exists with other properties")
                    .hasMessageContaining("arguments=none")
                    .hasMessageContaining("rabbitmqctl delete_queue " + queue);
        }
    }

    /** A {@code greet} handler that takes 500 ms, counting what it ran. */
    static final class SlowGreetings extends dev.warren.core.task.TaskModule {
        @jakarta.inject.Singleton
        static final class Counter {
            final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        }

        static final class SlowGreet implements dev.warren.core.task.TaskHandler<TestTasks.Greeting, Void> {
            private final Counter counter;

            @jakarta.inject.Inject
            SlowGreet(Counter counter) {
                this.counter = counter;
            }

            @Override
            public Void handle(TestTasks.Greeting payload, TaskContext context) throws InterruptedException {
                Thread.sleep(500);
                counter.count.incrementAndGet();
                return null;
            }
        }

        @Override
        protected void configureTasks() {
            bindTask("greet", TestTasks.Greeting.class, SlowGreet.class);
        }
    }
}
