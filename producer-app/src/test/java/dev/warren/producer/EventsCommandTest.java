package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.events.Event;
import dev.warren.events.EventCodec;
import dev.warren.events.EventPublisher;
import dev.warren.events.EventStream;
import dev.warren.events.EventsModule;
import dev.warren.events.EventsSettings;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code producer-app events}: a task sent with --events, run and dead-lettered by a worker with events, replayed. */
class EventsCommandTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    record Run(int exitCode, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = ExitCodes.commandLine(new ProducerApp()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        String[] full = Arrays.copyOf(args, args.length + 2);
        full[args.length] = "--uri";
        full[args.length + 1] = broker.amqpUri();
        int code = CompletableFuture.supplyAsync(() -> cli.execute(full)).get(60, TimeUnit.SECONDS);
        return new Run(code, out.toString(), err.toString());
    }

    /** A task type that fails every attempt. */
    static final class AlwaysFails extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("always_fails", JsonNode.class, Fail.class);
        }

        static final class Fail implements TaskHandler<JsonNode, Void> {
            @Override
            public Void handle(JsonNode payload, TaskContext context) {
                throw new IllegalStateException("planned failure " + context.attempt());
            }
        }
    }

    @Test
    void eventsIdPrintsTheTimelineOfATaskPublishedRetriedDeadLetteredAndReplayed() throws Exception {
        String queue = queues.unique("events-cli");
        String stream = queues.unique("events-cli-stream");
        EventsSettings settings = EventsSettings.defaults().withStream(stream);
        WarrenHarness worker = new WarrenHarness(broker.amqpUri(), WorkerSettings.of(queue), "events-cli",
                new RetryDlxModule(RetrySettings.custom().maxAttempts(2).delays("100ms").build(), WorkQueueType.classic()),
                new EventsModule(settings, "cli-test-worker"), new AlwaysFails());
        EventPublisher workerEvents = worker.get(EventPublisher.class);
        String id;
        try {
            workerEvents.start();
            worker.start();
            Run sent = run("send", "--type", "always_fails", "--queue", queue, "--events", "--events-stream", stream);
            assertThat(sent.exitCode()).as(sent.err()).isZero();
            id = sent.out().trim();
            await().atMost(Duration.ofSeconds(20)).until(() -> count(queue + ".dlq") == 1);
        } finally {
            worker.worker().stop();
            workerEvents.close();
            worker.close();
        }
        Run replayed = run("dlq", "replay", "--id", id, "--queue", queue, "--events", "--events-stream", stream);
        assertThat(replayed.exitCode()).as(replayed.err()).isZero();

        Run timeline = run("events", "--id", id, "--events-stream", stream);

        assertThat(timeline.exitCode()).as(timeline.err()).isZero();
        List<String> lines = timeline.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("task " + id + " (always_fails, queue " + queue + ")");
        assertThat(lines.subList(1, lines.size() - 1)).extracting(line -> line.trim().split("\\s+")[1])
                .containsExactly("published", "received", "started", "failed", "retried", "received", "started",
                        "failed", "dead_lettered", "replayed");
        assertThat(timeline.out()).contains("on cli-test-worker", "IllegalStateException: planned failure 1",
                "next attempt in 100 ms", "(attempt 2 of 2 failed)", "(replayed from " + queue + ".dlq)");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("result: replayed from the dead-letter queue; not run since");

        Run json = run("events", "--id", id, "--json", "--events-stream", stream);
        assertThat(json.out().lines()).hasSize(10).allSatisfy(line -> assertThat(line).startsWith("{\"v\":1,\"event\":"));
    }

    @Test
    void eventsOfAStreamThatDoesNotExistSaysSoAndExitsWithUsage() throws Exception {
        Run missing = run("events", "--events-stream", "no-such-stream-" + System.nanoTime());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no events stream 'no-such-stream-", "--events");
    }

    @Test
    void eventsPrintsEachEventAsItArrivesAndStopsAtTheEndTheStreamHadWhenItStarted() throws Exception {
        String stream = queues.unique("events-cli-end");
        try (Connection connection = broker.connect("events-cli-end"); Channel channel = connection.createChannel()) {
            EventStream.declare(channel, EventsSettings.defaults().withStream(stream));
            for (String id : List.of("before-1", "before-2", "before-3")) {
                publishEvent(channel, stream, id);
            }
            var out = new StringWriter();
            var cli = ExitCodes.commandLine(new ProducerApp()).setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(new StringWriter(), true));
            // --idle 1h: only the end the stream had at the start can stop this read.
            CompletableFuture<Integer> reading = CompletableFuture.supplyAsync(() -> cli.execute("events",
                    "--events-stream", stream, "--idle", "1h", "--uri", broker.amqpUri()));

            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("before-3"));
            assertThat(reading).as("printed while still reading").isNotDone();
            publishEvent(channel, stream, "after-start");

            // With --idle 1h only the first event written after the start can end the read. The
            // reader and the end consumer get it on two channels in either order, so it may be printed.
            assertThat(reading.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
            assertThat(out.toString().lines().map(line -> line.trim().split("\\s+")[2]).toList())
                    .startsWith("before-1", "before-2", "before-3").hasSizeBetween(3, 4);
        }
    }

    @Test
    void eventsEndsWhileWorkersKeepWritingToTheStream() throws Exception {
        String stream = queues.unique("events-cli-busy");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        try (Connection connection = broker.connect("events-cli-busy"); Channel channel = connection.createChannel()) {
            EventStream.declare(channel, EventsSettings.defaults().withStream(stream));
            publishEvent(channel, stream, "history-1");
            // 20 events a second, as a busy worker with --events writes them, for as long as the read takes.
            // A thread of its own: the common pool that run() uses may have a single thread on a 2-core machine.
            Thread traffic = Thread.ofPlatform().name("events-traffic").start(() -> {
                try (Channel steady = connection.createChannel()) {
                    while (writing.get()) {
                        publishEvent(steady, stream, "live-" + written.incrementAndGet());
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 10);
                Run read = run("events", "--events-stream", stream);

                assertThat(read.exitCode()).as(read.err()).isZero();
                assertThat(read.out()).contains("history-1", "live-1 ", "live-9 ");
            } finally {
                writing.set(false);
                traffic.join(Duration.ofSeconds(30));
            }
        }
    }

    private static void publishEvent(Channel channel, String stream, String id) throws IOException {
        channel.basicPublish("", stream, null, EventCodec.encode(Event.published(id, "noop", "events-cli", "events-test",
                Instant.now())));
    }

    private int count(String name) throws Exception {
        try (Connection connection = broker.connect("events-cli-count"); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name).getMessageCount();
        }
    }
}
