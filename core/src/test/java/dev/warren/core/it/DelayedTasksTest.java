package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.CoreModule;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.publish.DelayLevels;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delayed tasks held by the broker's delay topology (docs/scheduling.md), on the shared broker. */
class DelayedTasksTest {

    private static final Logger log = LoggerFactory.getLogger(DelayedTasksTest.class);
    /** Generous bound past due, for a loaded 2-core machine; the distribution is logged. */
    private static final Duration LATE_BOUND = Duration.ofSeconds(10);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final ObjectMapper mapper = CoreModule.newObjectMapper();

    @Test
    void manyTasksWithRandomDelaysEachArriveNoEarlierThanDueWithIdTypeHeadersAndPayload() throws Exception {
        String queue = queues.unique("delay-many");
        int n = 300;
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks());
             Connection connection = broker.connect("delay-consumer")) {
            Arrivals arrivals = Arrivals.consume(connection, queue);
            Random random = new Random(42);
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            Map<String, Integer> sent = new ConcurrentHashMap<>();
            for (int i = 0; i < n; i++) {
                OutgoingTask task = new OutgoingTask(UUID.randomUUID().toString(), "greet",
                        mapper.createObjectNode().put("user_id", i).put("user_name", "u" + i), null,
                        Map.of("x-tenant", "t" + i), null, null);
                sent.put(task.id(), i);
                confirms.add(warren.publisher().publish(task, Duration.ofMillis(1000 + random.nextInt(19_001))));
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(() -> arrivals.size() >= n);
            List<Long> lateMillis = new ArrayList<>();
            for (Arrival arrival : arrivals.all()) {
                Instant due = arrival.dueAt();
                assertThat(arrival.at()).as("arrival of %s due %s", arrival.id(), due).isAfterOrEqualTo(due);
                assertThat(arrival.at()).as("arrival of %s due %s", arrival.id(), due).isBefore(due.plus(LATE_BOUND));
                int i = sent.get(arrival.id());
                assertThat(arrival.properties().getType()).isEqualTo("greet");
                assertThat(arrival.properties().getHeaders().get("x-tenant").toString()).isEqualTo("t" + i);
                assertThat(mapper.readTree(arrival.body()).get("user_id").asInt()).isEqualTo(i);
                lateMillis.add(Duration.between(due, arrival.at()).toMillis());
            }
            assertThat(arrivals.all()).extracting(Arrival::id).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sent.keySet());
            lateMillis.sort(null);
            log.info("{} delayed tasks, ms after due: min {}, median {}, p95 {}, p99 {}, max {}", n, lateMillis.get(0),
                    lateMillis.get(n / 2), lateMillis.get(n * 95 / 100), lateMillis.get(n * 99 / 100),
                    lateMillis.get(n - 1));
        }
    }

    @Test
    void aOneSecondDelayPublishedAfterAThirtySecondOneArrivesFirst() throws Exception {
        String queue = queues.unique("delay-order");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks());
             Connection connection = broker.connect("delay-consumer")) {
            Arrivals arrivals = Arrivals.consume(connection, queue);
            OutgoingTask slow = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 30));
            OutgoingTask quick = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1));
            warren.publisher().publish(slow, Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS);
            warren.publisher().publish(quick, Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(15)).until(() -> arrivals.size() >= 1);
            assertThat(arrivals.all().get(0).id()).isEqualTo(quick.id());
            assertThat(arrivals.size()).isEqualTo(1);
        }
    }

    @Test
    void aDelayedTaskIsRunByTheWorkerWithItsIdAndNotBeforeDue() throws Exception {
        String queue = queues.unique("delay-run");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start()) {
            OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 5)
                    .put("user_name", "Later"));
            Instant at = Instant.now().plusSeconds(2);
            warren.publisher().publishAt(task, at).get(10, TimeUnit.SECONDS);

            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> journal.count("greet") == 1);
            Instant ran = Instant.now();
            assertThat(ran).isAfterOrEqualTo(at);
            assertThat(journal.payloads).containsExactly(new TestTasks.Greeting(5, "Later"));
            assertThat(journal.contexts.get(0).messageId()).isEqualTo(task.id());
        }
    }

    @Test
    void typedDelayedAndScheduledPublishesHandTheHandlerTheRecordNotBeforeDue() throws Exception {
        String queue = queues.unique("delay-typed");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TypedTasks()).start()) {
            TypedTasks.ResizeImage cat = new TypedTasks.ResizeImage("https://img.example/cat.png", 640);
            TypedTasks.ResizeImage dog = new TypedTasks.ResizeImage("https://img.example/dog.png", 320);
            Instant due = Instant.now().plusSeconds(2);
            warren.publisher().publish(TypedTasks.RESIZE, cat, Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
            warren.publisher().publishAt(TypedTasks.RESIZE, dog, due).get(10, TimeUnit.SECONDS);

            TypedTasks.Seen seen = warren.get(TypedTasks.Seen.class);
            assertThat(seen.of(TypedTasks.RESIZE)).as("nothing runs before due").isEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.of(TypedTasks.RESIZE).size() == 2);
            assertThat(Instant.now()).isAfterOrEqualTo(due);
            assertThat(seen.of(TypedTasks.RESIZE)).extracting(TypedTasks.Seen.Run::payload)
                    .containsExactlyInAnyOrder(cat, dog);
        }
    }

    @Test
    void aTaskScheduledInThePastIsPublishedAtOnceWithItsDueAt() throws Exception {
        String queue = queues.unique("delay-past");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks());
             Connection connection = broker.connect("delay-consumer")) {
            Arrivals arrivals = Arrivals.consume(connection, queue);
            Instant at = Instant.parse("2026-01-01T00:00:00Z");
            OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1));
            warren.publisher().publishAt(task, at).get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.size() == 1);
            assertThat(arrivals.all().get(0).id()).isEqualTo(task.id());
            assertThat(arrivals.all().get(0).dueAt()).isEqualTo(at);
        }
    }

    @Test
    void delaysOfHoursAndDaysWaitInTheQueueOfTheirHighestBitWithTheirBitsInTheKey() throws Exception {
        String queue = queues.unique("delay-long");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks());
             Connection connection = broker.connect("delay-inspector");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            for (Duration delay : List.of(Duration.ofHours(3), Duration.ofDays(2), Duration.ofDays(400))) {
                OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1));
                warren.publisher().publish(task, delay).get(10, TimeUnit.SECONDS);
                long seconds = delay.toSeconds();
                int highestBit = 63 - Long.numberOfLeadingZeros(seconds);
                GetResponse held = find(channel, DelayTopology.level(highestBit), task.id());
                assertThat(held).as("task delayed %s in %s", delay, DelayTopology.level(highestBit)).isNotNull();
                assertThat(held.getEnvelope().getExchange()).as("published straight to the level of the highest bit")
                        .isEqualTo(DelayTopology.level(highestBit));
                assertThat(held.getEnvelope().getRoutingKey()).isEqualTo(DelayTopology.routingKey(seconds, queue));
                Instant due = Instant.parse(held.getProps().getHeaders().get(TaskHeaders.DUE_AT).toString());
                assertThat(due).isBetween(Instant.now().plus(delay).minusSeconds(60), Instant.now().plus(delay));
                // Acked: the test's task leaves the shared delay queue, other messages are requeued on close.
                channel.basicAck(held.getEnvelope().getDeliveryTag(), false);
            }
        }
    }

    @Test
    void aDelayedTaskForAQuorumWorkQueueWaitsInTheQuorumLevelsAndArrivesNotBeforeDue() throws Exception {
        String queue = queues.unique("delay-quorum");
        try (Connection connection = broker.connect("delay-quorum");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), WorkerSettings.of(queue),
                    RouteTable.allTo(queue).withQuorumQueues(queue), "delay-quorum")) {
                TaskPublisher publisher = warren.publisher();
                // 3 h waits in the quorum queue of its highest bit (13), where the test takes it back.
                OutgoingTask later = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 3));
                publisher.publish(later, Duration.ofHours(3)).get(30, TimeUnit.SECONDS);
                GetResponse held = find(channel, DelayLevels.QUORUM.level(13), later.id());
                assertThat(held).as("3 h task in %s", DelayLevels.QUORUM.level(13)).isNotNull();
                assertThat(held.getEnvelope().getExchange()).isEqualTo(DelayLevels.QUORUM.level(13));
                assertThat(held.getEnvelope().getRoutingKey()).isEqualTo(DelayTopology.routingKey(10_800, queue));
                channel.basicAck(held.getEnvelope().getDeliveryTag(), false);
                JsonNode level = broker.management().orElseThrow().queue(DelayLevels.QUORUM.level(13));
                assertThat(level.path("type").asText()).isEqualTo("quorum");
                assertThat(level.path("arguments").path("x-dead-letter-strategy").asText()).isEqualTo("at-least-once");

                // 5 s = bits 2 and 0: through warren.delay.q.2, then warren.delay.q.0, then the quorum work queue.
                Arrivals arrivals = Arrivals.consume(connection, queue, Map.of("x-queue-type", "quorum"));
                OutgoingTask soon = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 5));
                publisher.publish(soon, Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> arrivals.size() >= 1);
                Arrival arrival = arrivals.all().get(0);
                assertThat(arrival.id()).isEqualTo(soon.id());
                assertThat(arrival.at()).isAfterOrEqualTo(arrival.dueAt());
                assertThat(arrival.deadLetteredFrom())
                        .containsExactlyInAnyOrder(DelayLevels.QUORUM.level(0), DelayLevels.QUORUM.level(2));
            }
        }
    }

    /** Gets (unacked) from {@code delayQueue} until the message with {@code id}; others stay unacked until close. */
    private static GetResponse find(Channel channel, String delayQueue, String id) throws IOException {
        for (GetResponse got = channel.basicGet(delayQueue, false); got != null; got = channel.basicGet(delayQueue, false)) {
            if (id.equals(got.getProps().getMessageId())) {
                return got;
            }
        }
        return null;
    }

    /** One message's arrival at its work queue. */
    record Arrival(String id, Instant at, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        Instant dueAt() {
            return Instant.parse(properties.getHeaders().get(TaskHeaders.DUE_AT).toString());
        }

        /** The queues that dead-lettered the message, from its {@code x-death} header (one entry per queue). */
        List<String> deadLetteredFrom() {
            Object deaths = properties.getHeaders().get("x-death");
            List<String> queues = new ArrayList<>();
            if (deaths instanceof List<?> list) {
                for (Object death : list) {
                    queues.add(String.valueOf(((Map<?, ?>) death).get("queue")));
                }
            }
            return queues;
        }
    }

    /** Arrivals at a work queue, in order, read by a plain consumer (the queue is declared durable first). */
    static final class Arrivals {
        private final List<Arrival> arrived = new ArrayList<>();

        static Arrivals consume(Connection connection, String queue) throws IOException, TimeoutException {
            return consume(connection, queue, Map.of());
        }

        /** Arrivals at {@code queue}, declared durable with {@code arguments} first. */
        static Arrivals consume(Connection connection, String queue, Map<String, Object> arguments)
                throws IOException, TimeoutException {
            Arrivals arrivals = new Arrivals();
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, true, false, false, arguments);
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    Instant now = Instant.now();
                    synchronized (arrivals) {
                        arrivals.arrived.add(new Arrival(properties.getMessageId(), now, envelope, properties, body));
                    }
                }
            });
            return arrivals;
        }

        synchronized int size() {
            return arrived.size();
        }

        synchronized List<Arrival> all() {
            return List.copyOf(arrived);
        }
    }
}
