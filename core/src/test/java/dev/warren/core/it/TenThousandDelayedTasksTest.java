package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.publish.DelayLevels;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.testing.WarrenHarness;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delay topology at scale, on a private node (its delay queues are this test's alone, so it
 * may read and leave messages in them, and restart the broker): 10,000 tasks with random delays,
 * delays of hours and days, and a restart in the middle through both sets of levels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenThousandDelayedTasksTest {

    private static final Logger log = LoggerFactory.getLogger(TenThousandDelayedTasksTest.class);
    /**
     * How late past due a task may arrive: the rounding up to whole seconds (under 1 s) plus broker
     * latency, generous for a loaded 2-core machine; docs/scheduling.md ("Precision") has the measurements.
     */
    static final Duration MAX_LATENESS = Duration.ofSeconds(10);
    /**
     * Unconfirmed publishes at most, as a producer that waits for its confirms keeps (producer-app
     * {@code load --window}): a task's due time is taken when it is published, so an unbounded burst
     * would measure the broker's intake backlog rather than the delay.
     */
    private static final int WINDOW = 200;

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

    @Test
    void tenThousandRandomDelaysArriveOnceNeverEarlyWithinTheBoundAndNoConsumerEverHeldThem() throws Exception {
        String queue = TestQueues.unique("delay-10k");
        int n = 10_000;
        Random random = new Random(7);
        Map<String, Long> delayMillis = new HashMap<>();
        try (Connection connection = node.broker().connect("delay-10k");
             WarrenHarness warren = publisher(RouteTable.allTo(queue))) {
            DelayedTasksTest.Arrivals arrivals = DelayedTasksTest.Arrivals.consume(connection, queue);
            ConsumerWatch watch = ConsumerWatch.start(connection);
            List<CompletableFuture<Void>> confirms = new ArrayList<>(n);
            Semaphore window = new Semaphore(WINDOW);
            Instant started = Instant.now();
            for (int i = 0; i < n; i++) {
                long millis = 1000 + random.nextInt(59_001);
                OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", i));
                delayMillis.put(task.id(), millis);
                window.acquire();
                confirms.add(warren.publisher().publish(task, Duration.ofMillis(millis))
                        .whenComplete((ok, error) -> window.release()));
            }
            // Published after every one of the 60 s tasks: 1 s, so it arrives before them.
            OutgoingTask quick = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", -1));
            delayMillis.put(quick.id(), 1000L);
            confirms.add(warren.publisher().publish(quick, Duration.ofSeconds(1)));
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            log.info("{} delayed tasks published and confirmed in {} ms", n + 1,
                    Duration.between(started, Instant.now()).toMillis());

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> arrivals.size() >= n + 1);
            watch.stop();
            List<DelayedTasksTest.Arrival> all = arrivals.all();
            assertThat(all).extracting(DelayedTasksTest.Arrival::id).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(delayMillis.keySet());
            List<Long> lateMillis = new ArrayList<>(all.size());
            for (DelayedTasksTest.Arrival arrival : all) {
                Instant due = arrival.dueAt();
                assertThat(arrival.at()).as("arrival of %s due %s", arrival.id(), due).isAfterOrEqualTo(due);
                assertThat(arrival.envelope().isRedeliver()).as("%s redelivered", arrival.id()).isFalse();
                assertWentThroughTheLevelsOfItsKey(arrival, delayMillis.get(arrival.id()), DelayLevels.CLASSIC);
                lateMillis.add(Duration.between(due, arrival.at()).toMillis());
            }
            Lateness lateness = Lateness.of(lateMillis);
            log.info("{} delayed tasks of 1-60 s, ms after due: {}", all.size(), lateness);
            assertThat(lateness.max()).as("latest arrival past due, ms").isLessThan(MAX_LATENESS.toMillis());
            int quickAt = indexOf(all, quick.id());
            for (int i = 0; i < quickAt; i++) {
                assertThat(delayMillis.get(all.get(i).id())).as("delay of a task arriving before the 1 s one")
                        .isLessThan(30_000L);
            }
            assertThat(watch.samples()).as("consumer samples of the delay queues").isGreaterThan(10);
            assertThat(watch.maxConsumers()).as("consumers ever seen on a delay queue").isZero();
        }
    }

    @Test
    void delaysOfHoursAndDaysWaitInTheQueueOfTheirHighestBitUnderTheirKey() throws Exception {
        String queue = TestQueues.unique("delay-days");
        try (Connection connection = node.broker().connect("delay-days");
             Channel channel = connection.createChannel();
             WarrenHarness warren = publisher(RouteTable.allTo(queue))) {
            channel.queueDeclare(queue, true, false, false, null);
            for (Duration delay : List.of(Duration.ofHours(2), Duration.ofHours(7), Duration.ofDays(1),
                    Duration.ofDays(3), Duration.ofDays(30))) {
                OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1));
                warren.publisher().publish(task, delay).get(10, TimeUnit.SECONDS);
                long seconds = delay.toSeconds();
                String level = DelayTopology.level(63 - Long.numberOfLeadingZeros(seconds));
                GetResponse held = channel.basicGet(level, false);
                assertThat(held).as("task delayed %s in %s", delay, level).isNotNull();
                assertThat(held.getProps().getMessageId()).isEqualTo(task.id());
                assertThat(held.getEnvelope().getRoutingKey()).isEqualTo(DelayTopology.routingKey(seconds, queue));
                // This node's delay queues are the test's own: the task is taken out, nothing leaks.
                channel.basicAck(held.getEnvelope().getDeliveryTag(), false);
            }
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
        }
    }

    @Test
    void aBrokerRestartInTheMiddleLosesNoDelayedTaskOfEitherSetOfLevels() throws Exception {
        String classic = TestQueues.unique("delay-restart-classic");
        String quorum = TestQueues.unique("delay-restart-quorum");
        int perQueue = 1_000;
        Random random = new Random(11);
        Set<String> sent = new HashSet<>();
        try (WarrenHarness warren = publisher(RouteTable.allTo(classic).withQuorumQueues(quorum))) {
            try (Connection connection = node.broker().connect("delay-restart-declare");
                 Channel channel = connection.createChannel()) {
                channel.queueDeclare(classic, true, false, false, null);
                channel.queueDeclare(quorum, true, false, false, Map.of("x-queue-type", "quorum"));
            }
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            for (int i = 0; i < 2 * perQueue; i++) {
                OutgoingTask task = OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", i))
                        .toQueue(i % 2 == 0 ? classic : quorum);
                sent.add(task.id());
                // 4..35 s: most are still in some delay queue when the broker stops.
                confirms.add(warren.publisher().publish(task, Duration.ofMillis(4000 + random.nextInt(31_001))));
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            Map<DelayLevels, Long> held = new HashMap<>();
            try (Connection connection = node.broker().connect("delay-restart-count")) {
                for (DelayLevels levels : DelayLevels.values()) {
                    held.put(levels, held(connection, levels));
                }
            }
            log.info("held in delay queues when the broker stops: {} of {}", held, 2 * perQueue);
            assertThat(held.get(DelayLevels.CLASSIC)).as("tasks in classic delay queues at the stop").isGreaterThan(500);
            assertThat(held.get(DelayLevels.QUORUM)).as("tasks in quorum delay queues at the stop").isGreaterThan(500);

            node.restart();

            try (Connection connection = node.broker().connect("delay-restart-consumer")) {
                DelayedTasksTest.Arrivals toClassic = DelayedTasksTest.Arrivals.consume(connection, classic);
                DelayedTasksTest.Arrivals toQuorum = DelayedTasksTest.Arrivals.consume(connection, quorum,
                        Map.of("x-queue-type", "quorum"));
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> distinctIds(toClassic.all(), toQuorum.all()).size() >= 2 * perQueue);
                List<DelayedTasksTest.Arrival> all = new ArrayList<>(toClassic.all());
                all.addAll(toQuorum.all());
                for (DelayedTasksTest.Arrival arrival : all) {
                    assertThat(arrival.at()).as("arrival of %s", arrival.id()).isAfterOrEqualTo(arrival.dueAt());
                }
                assertThat(distinctIds(toClassic.all(), toQuorum.all())).containsExactlyInAnyOrderElementsOf(sent);
                assertThat(toClassic.all()).allSatisfy(arrival ->
                        assertThat(arrival.deadLetteredFrom()).isNotEmpty()
                                .allMatch(q -> q.startsWith("warren.delay.") && !q.startsWith("warren.delay.q.")));
                assertThat(toQuorum.all()).allSatisfy(arrival ->
                        assertThat(arrival.deadLetteredFrom()).isNotEmpty().allMatch(q -> q.startsWith("warren.delay.q.")));
                log.info("after the restart: {} arrivals for {} tasks ({} duplicates)", all.size(), sent.size(),
                        all.size() - sent.size());
            }
        }
    }

    /** Asserts the arrival went through exactly the levels of its key's set bits, and the key fits its delay. */
    private static void assertWentThroughTheLevelsOfItsKey(DelayedTasksTest.Arrival arrival, long delayMillis,
                                                           DelayLevels levels) {
        String[] words = arrival.envelope().getRoutingKey().split("\\.", DelayTopology.LEVELS + 1);
        long seconds = Long.parseLong(String.join("", List.of(words).subList(0, DelayTopology.LEVELS)), 2);
        assertThat(seconds).as("delay in the key of %s (%d ms)", arrival.id(), delayMillis)
                .isBetween(delayMillis / 1000, delayMillis / 1000 + 1);
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < DelayTopology.LEVELS; k++) {
            if ((seconds >> k & 1) == 1) {
                expected.add(levels.level(k));
            }
        }
        assertThat(arrival.deadLetteredFrom()).as("queues %s waited in", arrival.id())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    private static int indexOf(List<DelayedTasksTest.Arrival> arrivals, String id) {
        for (int i = 0; i < arrivals.size(); i++) {
            if (arrivals.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new AssertionError("task " + id + " never arrived");
    }

    private static Set<String> distinctIds(Collection<DelayedTasksTest.Arrival> a, Collection<DelayedTasksTest.Arrival> b) {
        Set<String> ids = new HashSet<>();
        a.forEach(arrival -> ids.add(arrival.id()));
        b.forEach(arrival -> ids.add(arrival.id()));
        return ids;
    }

    private static long held(Connection connection, DelayLevels levels) throws Exception {
        long held = 0;
        try (Channel channel = connection.createChannel()) {
            for (int k = 0; k < DelayTopology.LEVELS; k++) {
                held += channel.queueDeclarePassive(levels.level(k)).getMessageCount();
            }
        }
        return held;
    }

    /** A Warren publisher (its worker never started) for {@code routes}, whose default queue is the worker's. */
    private WarrenHarness publisher(RouteTable routes) {
        return new WarrenHarness(node.amqpUri(), WorkerSettings.of(routes.defaultQueue()), routes, "delays");
    }

    /** Samples, twice a second, the consumer count of every classic delay queue: a worker holding a delayed task would show. */
    private static final class ConsumerWatch {
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final AtomicInteger samples = new AtomicInteger();
        private final AtomicInteger maxConsumers = new AtomicInteger();

        private Channel channel;

        static ConsumerWatch start(Connection connection) {
            ConsumerWatch watch = new ConsumerWatch();
            watch.sampler.scheduleWithFixedDelay(() -> {
                try {
                    // Until the first delayed publish declares them, a passive declare closes the channel.
                    if (watch.channel == null || !watch.channel.isOpen()) {
                        watch.channel = connection.createChannel();
                    }
                    Channel channel = watch.channel;
                    int consumers = 0;
                    for (int k = 0; k < DelayTopology.LEVELS; k++) {
                        consumers += channel.queueDeclarePassive(DelayTopology.level(k)).getConsumerCount();
                    }
                    watch.maxConsumers.accumulateAndGet(consumers, Math::max);
                    watch.samples.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    log.debug("sampling the delay queues' consumers failed", e);
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
            return watch;
        }

        void stop() throws InterruptedException {
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        }

        int samples() {
            return samples.get();
        }

        int maxConsumers() {
            return maxConsumers.get();
        }
    }

    /** Lateness past due, sorted. */
    record Lateness(List<Long> sortedMillis) {
        static Lateness of(List<Long> millis) {
            List<Long> sorted = new ArrayList<>(millis);
            sorted.sort(null);
            return new Lateness(sorted);
        }

        long at(double quantile) {
            return sortedMillis.get((int) Math.min(sortedMillis.size() - 1, Math.floor(quantile * sortedMillis.size())));
        }

        long max() {
            return sortedMillis.get(sortedMillis.size() - 1);
        }

        @Override
        public String toString() {
            return "min " + sortedMillis.get(0) + ", median " + at(0.5) + ", p95 " + at(0.95) + ", p99 " + at(0.99)
                    + ", max " + max();
        }
    }
}
