package dev.warren.worker;

import dev.warren.core.testing.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.warren.core.consume.Worker;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input fuzzing: the hand-written seeds of {@code fuzz/bad-input-corpus.jsonl} and
 * 10,000 generated malformed tasks ({@link BadInputGenerator}, fixed seed), shuffled among 1,000
 * valid ones and published straight with amqp-client to one in-process worker-app worker
 * (4 consumers, prefetch 50, a 64 KiB {@code --max-message-bytes}, metrics on).
 *
 * <p>Asserts per message, matched by {@code message_id}: every bad one is in {@code <q>.dlq}
 * exactly once, unchanged, with {@code x-warren-error} naming the exception it must fail with and
 * an {@code x-warren-error-message}; every valid one succeeded exactly once (its result came back
 * through {@code reply_to}, and {@code echo} returned its payload). Nothing is left in the work or
 * retry queues, nothing was retried, the worker stayed healthy with all consumers registered
 * throughout and logged nothing but the dead-lettering, and {@code /metrics} names no task type
 * but the registered ones and {@code unknown}.
 */
class BadInputFuzzTest {

    private static final long SEED = 20_260_107L;
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final int GENERATED_MALFORMED = 10_000;
    private static final int GENERATED_VALID = 1_000;
    private static final Duration NO_PROGRESS_LIMIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern TASK_TYPE_LABEL = Pattern.compile("task_type=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void everyBadTaskIsDeadLetteredWithItsReasonAndEveryValidOneSucceeds() throws Exception {
        Map<String, FuzzMessage> messages = messages();
        Set<String> bad = new HashSet<>();
        messages.forEach((id, message) -> {
            if (!message.shouldSucceed()) {
                bad.add(id);
            }
        });
        int valid = messages.size() - bad.size();
        // Valid seeds with a reply_to of their own succeed, but their results go elsewhere.
        Set<String> ownReplyTo = new HashSet<>();
        messages.forEach((id, message) -> {
            if (message.properties().getReplyTo() != null) {
                ownReplyTo.add(id);
            }
        });
        int answered = (int) messages.entrySet().stream()
                .filter(entry -> entry.getValue().shouldSucceed() && !ownReplyTo.contains(entry.getKey())).count();
        assertThat(bad).as("malformed messages").hasSizeGreaterThanOrEqualTo(10_000);
        String queue = queues.unique("fuzz");
        long began = System.nanoTime();

        try (LogCapture logs = LogCapture.all();
             InProcessWorker worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo", "--concurrency", "4",
                     "--prefetch", "50", "--max-message-bytes", String.valueOf(MAX_MESSAGE_BYTES),
                     "--retry-max-attempts", "2", "--retry-delays", "100ms", "--email-delay", "0ms",
                     "--metrics-port", "0", "--metrics-queue-poll", "500ms");
             Connection connection = broker.connect("warren-fuzz-test");
             HealthWatch health = HealthWatch.of(worker.worker())) {
            Map<String, List<JsonNode>> results = collectResults(connection, queue + "-replies");
            long published = System.nanoTime();
            publish(connection, queue, queue + "-replies", messages);
            Duration publishing = Duration.ofNanos(System.nanoTime() - published);
            awaitProcessed(worker.worker(), messages.size(), results, answered);
            Duration processing = Duration.ofNanos(System.nanoTime() - published);

            Map<String, List<AMQP.BasicProperties>> deadLetters = drainDeadLetters(connection, queue, bad.size(), messages);
            URI metrics = baseUri(worker.metricsAddress().orElseThrow());
            await("metrics to count every task").atMost(Duration.ofSeconds(10))
                    .until(() -> tasksTotal(get(metrics.resolve("/metrics")), queue, "succeeded") == valid
                            && tasksTotal(get(metrics.resolve("/metrics")), queue, "dead_lettered") == bad.size());
            String scrape = get(metrics.resolve("/metrics"));

            System.out.printf("bad-input fuzz (seed %d): %d messages (%d malformed, %d valid; %d corpus seeds),"
                            + " published in %d ms, all processed in %d ms (%.0f msg/s), %d ms in all;%n  by category: %s%n"
                            + "  dead letters by x-warren-error: %s%n  task_type labels in /metrics: %s%n",
                    SEED, messages.size(), bad.size(), valid, FuzzCorpus.load().size(), publishing.toMillis(),
                    processing.toMillis(), messages.size() * 1000.0 / Math.max(1, processing.toMillis()),
                    Duration.ofNanos(System.nanoTime() - began).toMillis(), countsByCategory(messages.values()),
                    countsByError(deadLetters), new java.util.TreeSet<>(taskTypeLabels(scrape)));

            assertDeadLetters(deadLetters, bad, messages, queue);
            assertResults(results, messages);
            Worker w = worker.worker();
            assertThat(w.stats().count(TaskOutcome.SUCCEEDED)).as("succeeded").isEqualTo(valid);
            assertThat(w.stats().count(TaskOutcome.DEAD_LETTERED)).as("dead-lettered").isEqualTo(bad.size());
            assertThat(w.stats().count(TaskOutcome.RETRIED)).as("retried").isZero();
            assertQueuesEmpty(connection, queue);

            assertThat(health.unhealthySamples()).as("samples of the worker unhealthy (first: %s) out of %d",
                    health.firstProblem(), health.samples()).isZero();
            assertThat(health.samples()).as("health samples taken").isPositive();
            assertThat(w.consumersRegistered()).as("consumers registered at the end").isEqualTo(4);
            assertThat(HTTP.send(HttpRequest.newBuilder(metrics.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("/health").isEqualTo(200);
            assertThat(sample(scrape, "warren_connection_recoveries_total")).as("connection recoveries").isZero();
            assertThat(taskTypeLabels(scrape)).as("task_type label values in /metrics")
                    .contains("unknown").isSubsetOf(union(BadInputGenerator.REGISTERED, Set.of("unknown")));
            List<String> unexpectedLogs = logs.lines().stream()
                    .filter(line -> line.startsWith("WARN") || line.startsWith("ERROR"))
                    .filter(line -> !line.contains("dead-lettered to '" + queue + ".dlq' (permanent failure)"))
                    .filter(line -> ownReplyTo.stream().noneMatch(id -> line.contains("result of task " + id
                            + " not delivered: nobody listens on")))
                    .limit(20)
                    .toList();
            assertThat(unexpectedLogs).as("warnings and errors besides dead-lettering (a consumer restarted,"
                    + " a connection lost, a delivery requeued)").isEmpty();
        }
    }

    /** The corpus, the generated malformed and valid tasks, shuffled, by the message id each is published with. */
    private static Map<String, FuzzMessage> messages() {
        var generator = new BadInputGenerator(SEED, MAX_MESSAGE_BYTES);
        List<FuzzMessage> all = new ArrayList<>(FuzzCorpus.load());
        all.addAll(generator.malformed(GENERATED_MALFORMED));
        all.addAll(generator.valid(GENERATED_VALID));
        Collections.shuffle(all, new Random(SEED));
        Map<String, FuzzMessage> byId = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byId.put(String.format("fuzz-%05d", i), all.get(i));
        }
        return byId;
    }

    /** Publishes every message to the default exchange, confirmed; valid ones ask for a result. */
    private static void publish(Connection connection, String queue, String replyQueue, Map<String, FuzzMessage> messages)
            throws Exception {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            int sent = 0;
            for (var entry : messages.entrySet()) {
                FuzzMessage message = entry.getValue();
                String replyTo = message.properties().getReplyTo() != null ? message.properties().getReplyTo()
                        : message.shouldSucceed() ? replyQueue : null;
                AMQP.BasicProperties properties = message.properties().builder().messageId(entry.getKey())
                        .replyTo(replyTo).build();
                channel.basicPublish("", queue, properties, message.body());
                if (++sent % 500 == 0) {
                    channel.waitForConfirmsOrDie(30_000);
                }
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    /** Results arriving on an exclusive reply queue, by correlation id (the task's message id). */
    private static Map<String, List<JsonNode>> collectResults(Connection connection, String replyQueue) throws Exception {
        Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
        Channel channel = connection.createChannel();
        channel.queueDeclare(replyQueue, false, true, true, null);
        channel.basicConsume(replyQueue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws java.io.IOException {
                results.computeIfAbsent(String.valueOf(properties.getCorrelationId()),
                        id -> Collections.synchronizedList(new ArrayList<>())).add(JSON.readTree(body));
            }
        });
        return results;
    }

    /** Waits until the worker finished every delivery and every result arrived; fails if progress stops. */
    private static void awaitProcessed(Worker worker, int total, Map<String, List<JsonNode>> results, int valid) {
        AtomicReference<long[]> progress = new AtomicReference<>(new long[] {-1, System.nanoTime()});
        await("the worker to finish all " + total + " messages").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(100))
                .failFast("no progress for " + NO_PROGRESS_LIMIT, () -> {
                    long done = finished(worker) + results.size();
                    long[] last = progress.get();
                    if (done != last[0]) {
                        progress.set(new long[] {done, System.nanoTime()});
                        return false;
                    }
                    return System.nanoTime() - last[1] > NO_PROGRESS_LIMIT.toNanos();
                })
                .until(() -> finished(worker) >= total && results.size() >= valid);
    }

    private static long finished(Worker worker) {
        return worker.stats().count(TaskOutcome.SUCCEEDED) + worker.stats().count(TaskOutcome.DEAD_LETTERED)
                + worker.stats().count(TaskOutcome.RETRIED);
    }

    /** Consumes the whole dead-letter queue: properties of each copy by message id; checks each body is unchanged. */
    private static Map<String, List<AMQP.BasicProperties>> drainDeadLetters(Connection connection, String queue,
                                                                             int expected, Map<String, FuzzMessage> messages)
            throws Exception {
        Map<String, List<AMQP.BasicProperties>> letters = new ConcurrentHashMap<>();
        List<String> changed = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger received = new AtomicInteger();
        try (Channel channel = connection.createChannel()) {
            channel.basicQos(1000);
            channel.basicConsume(queue + ".dlq", true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    String id = String.valueOf(properties.getMessageId());
                    letters.computeIfAbsent(id, key -> Collections.synchronizedList(new ArrayList<>())).add(properties);
                    FuzzMessage original = messages.get(id);
                    if (original != null && !Arrays.equals(original.body(), body)) {
                        changed.add(id + " (" + original.name() + ")");
                    }
                    received.incrementAndGet();
                }
            });
            await("all " + expected + " dead letters").atMost(Duration.ofSeconds(60))
                    .until(() -> received.get() >= expected);
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).as("left in the DLQ").isZero();
        }
        assertThat(received.get()).as("dead letters received").isEqualTo(expected);
        assertThat(changed).as("dead letters whose body differs from what was published").isEmpty();
        return letters;
    }

    private static void assertDeadLetters(Map<String, List<AMQP.BasicProperties>> letters, Set<String> bad,
                                          Map<String, FuzzMessage> messages, String queue) {
        List<String> problems = new ArrayList<>();
        for (var entry : letters.entrySet()) {
            FuzzMessage message = messages.get(entry.getKey());
            if (message == null || message.shouldSucceed()) {
                problems.add(entry.getKey() + ": dead-lettered but " + (message == null ? "never published"
                        : "valid (" + message.name() + ")") + "; headers " + entry.getValue().get(0).getHeaders());
                continue;
            }
            if (entry.getValue().size() != 1) {
                problems.add(entry.getKey() + " (" + message.name() + "): " + entry.getValue().size() + " copies");
            }
            Map<String, Object> headers = entry.getValue().get(0).getHeaders();
            String error = headers == null ? null : String.valueOf(headers.get(TaskHeaders.ERROR));
            Object reason = headers == null ? null : headers.get(TaskHeaders.ERROR_MESSAGE);
            if (error == null || !error.endsWith("." + message.expect())) {
                problems.add(entry.getKey() + " (" + message.name() + "): expected " + message.expect() + ", got " + error
                        + ": " + reason);
            } else if (reason == null || String.valueOf(reason).isBlank()) {
                problems.add(entry.getKey() + " (" + message.name() + "): no " + TaskHeaders.ERROR_MESSAGE);
            } else if (!queue.equals(String.valueOf(headers.get(TaskHeaders.QUEUE)))) {
                problems.add(entry.getKey() + " (" + message.name() + "): " + TaskHeaders.QUEUE + " is "
                        + headers.get(TaskHeaders.QUEUE));
            }
        }
        for (String id : bad) {
            if (!letters.containsKey(id)) {
                problems.add(id + " (" + messages.get(id).name() + "): not in the DLQ");
            }
        }
        assertThat(firstOf(problems)).as("dead letters that are wrong (%d problems, first 30)", problems.size()).isEmpty();
    }

    private static void assertResults(Map<String, List<JsonNode>> results, Map<String, FuzzMessage> messages)
            throws Exception {
        List<String> problems = new ArrayList<>();
        for (var entry : messages.entrySet()) {
            FuzzMessage message = entry.getValue();
            List<JsonNode> answers = results.getOrDefault(entry.getKey(), List.of());
            if (message.properties().getReplyTo() != null) {
                if (!answers.isEmpty()) {
                    problems.add(entry.getKey() + " (" + message.name() + "): its result reached the test's queue");
                }
                continue;
            }
            if (!message.shouldSucceed()) {
                if (!answers.isEmpty()) {
                    problems.add(entry.getKey() + " (" + message.name() + "): bad, yet a result came back: " + answers);
                }
                continue;
            }
            if (answers.size() != 1 || !"succeeded".equals(answers.get(0).path("status").asText())) {
                problems.add(entry.getKey() + " (" + message.name() + "): expected one succeeded result, got " + answers);
                continue;
            }
            JsonNode result = answers.get(0);
            if (message.name().startsWith("valid-") && !message.name().startsWith("valid-" + result.path("task_type").asText() + "#")) {
                problems.add(entry.getKey() + " (" + message.name() + "): ran as " + result.path("task_type"));
            }
            if ("echo".equals(result.path("task_type").asText())) {
                ObjectNode payload = (ObjectNode) JSON.readTree(message.body());
                payload.remove(TaskHeaders.TASK_TYPE_FIELD);
                if (!payload.equals(result.path("result"))) {
                    problems.add(entry.getKey() + " (" + message.name() + "): echo returned " + result.path("result")
                            + " for " + payload);
                }
            }
        }
        assertThat(firstOf(problems)).as("valid tasks without their one succeeded result (%d problems, first 30)",
                problems.size()).isEmpty();
    }

    private static void assertQueuesEmpty(Connection connection, String queue) throws Exception {
        try (Channel channel = connection.createChannel()) {
            AMQP.Queue.DeclareOk work = channel.queueDeclarePassive(queue);
            assertThat(work.getMessageCount()).as("ready in %s", queue).isZero();
            assertThat(work.getConsumerCount()).as("consumers of %s", queue).isEqualTo(4);
            assertThat(channel.queueDeclarePassive(queue + ".retry.100ms").getMessageCount()).as("in the retry queue")
                    .isZero();
        }
    }

    private static Map<String, Integer> countsByCategory(java.util.Collection<FuzzMessage> messages) {
        Map<String, Integer> counts = new TreeMap<>();
        for (FuzzMessage message : messages) {
            String key = message.name().contains("#") ? message.category() : "corpus-" + message.expect();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    private static Map<String, Integer> countsByError(Map<String, List<AMQP.BasicProperties>> deadLetters) {
        Map<String, Integer> counts = new TreeMap<>();
        deadLetters.values().forEach(copies -> copies.forEach(properties -> {
            Object error = properties.getHeaders() == null ? null : properties.getHeaders().get(TaskHeaders.ERROR);
            String name = String.valueOf(error);
            counts.merge(name.substring(name.lastIndexOf('.') + 1), 1, Integer::sum);
        }));
        return counts;
    }

    /** Every value of a {@code task_type} label in a Prometheus text scrape, unescaped. */
    static Set<String> taskTypeLabels(String scrape) {
        Set<String> values = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher matcher = TASK_TYPE_LABEL.matcher(line);
            while (matcher.find()) {
                values.add(matcher.group(1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
            }
        }
        return values;
    }

    /** The sum of {@code warren_tasks_total} of {@code queue} with {@code outcome}, over all task types. */
    private static double tasksTotal(String scrape, String queue, String outcome) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("warren_tasks_total{") && line.contains("queue=\"" + queue + "\"")
                    && line.contains("outcome=\"" + outcome + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static double sample(String scrape, String name) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " is not in /metrics");
    }

    private static List<String> firstOf(List<String> problems) {
        return problems.subList(0, Math.min(30, problems.size()));
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        return all;
    }

    private static URI baseUri(InetSocketAddress address) {
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
        return response.body();
    }

    /** Samples a worker's health every 50 ms while open: any moment it was not healthy is counted. */
    private static final class HealthWatch implements AutoCloseable {
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final AtomicInteger samples = new AtomicInteger();
        private final AtomicInteger unhealthy = new AtomicInteger();
        private final AtomicReference<String> firstProblem = new AtomicReference<>();

        static HealthWatch of(Worker worker) {
            HealthWatch watch = new HealthWatch();
            watch.sampler.scheduleAtFixedRate(() -> {
                watch.samples.incrementAndGet();
                if (!worker.isHealthy()) {
                    watch.unhealthy.incrementAndGet();
                    watch.firstProblem.compareAndSet(null, worker.consumersRegistered() + " consumers registered");
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            return watch;
        }

        int samples() {
            return samples.get();
        }

        int unhealthySamples() {
            return unhealthy.get();
        }

        String firstProblem() {
            return firstProblem.get();
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }
}
