package dev.warren.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker with events on, against the shared broker: what the stream holds for each task, and for later readers. */
class TaskEventStreamTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final ObjectMapper mapper = CoreModule.newObjectMapper();

    @Test
    void theStreamHoldsEachTasksLifeWithAttemptsWorkerDurationsRetryDelayAndDeadLetterReason() throws Exception {
        String queue = queues.unique("events-work");
        String stream = queues.unique("events-stream");
        List<Event> seen = new CopyOnWriteArrayList<>();
        EventsSettings settings = EventsSettings.defaults().withStream(stream);
        try (EventsHarness warren = new EventsHarness(broker.amqpUri(), queue, settings).start()) {
            OutgoingTask ok = OutgoingTask.of("ok", mapper.createObjectNode());
            OutgoingTask flaky = OutgoingTask.of("flaky", mapper.createObjectNode());
            OutgoingTask broken = OutgoingTask.of("broken", mapper.createObjectNode());
            for (OutgoingTask task : List.of(ok, flaky, broken)) {
                warren.publisher().publish(task).get(5, TimeUnit.SECONDS);
            }
            try (AutoCloseable reading = warren.reader(settings).follow(EventOffset.first(), e -> true, seen::add)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> names(seen, broken.id()).contains("dead_lettered")
                        && names(seen, flaky.id()).contains("succeeded") && names(seen, ok.id()).contains("succeeded"));
            }

            assertThat(names(seen, ok.id())).containsExactly("received", "started", "succeeded");
            assertThat(of(seen, ok.id())).allSatisfy(e -> {
                assertThat(e.attempt()).isEqualTo(1);
                assertThat(e.worker()).isEqualTo(EventsHarness.WORKER);
                assertThat(e.queue()).isEqualTo(queue);
                assertThat(e.taskType()).isEqualTo("ok");
                assertThat(e.publishedAt()).isNotNull();
            });
            assertThat(last(seen, ok.id()).durationMs()).isNotNull().isGreaterThanOrEqualTo(0);

            assertThat(names(seen, flaky.id())).containsExactly("received", "started", "failed", "retried",
                    "received", "started", "succeeded");
            assertThat(of(seen, flaky.id())).extracting(Event::attempt).containsExactly(1, 1, 1, 1, 2, 2, 2);
            Event failed = of(seen, flaky.id()).get(2);
            assertThat(failed.error()).isEqualTo(IllegalStateException.class.getName());
            assertThat(failed.errorMessage()).isEqualTo("flaky on attempt 1");
            assertThat(failed.durationMs()).isNotNull();
            Event retried = of(seen, flaky.id()).get(3);
            assertThat(retried.retryDelayMs()).isEqualTo(200L);
            assertThat(retried.error()).isEqualTo(IllegalStateException.class.getName());

            assertThat(names(seen, broken.id())).containsExactly("received", "started", "failed", "retried",
                    "received", "started", "failed", "dead_lettered");
            Event parked = last(seen, broken.id());
            assertThat(parked.attempt()).isEqualTo(2);
            assertThat(parked.reason()).isEqualTo("attempt 2 of 2 failed");
            assertThat(parked.error()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(parked.errorMessage()).isEqualTo("broken on attempt 2");
            assertThat(warren.events().drops().total()).isZero();
        }
    }

    @Test
    void aWorkerWithOtherRetentionFlagsWritesToTheStreamAsItExists() throws Exception {
        String queue = queues.unique("events-retention");
        String stream = queues.unique("events-retention-stream");
        EventsSettings created = EventsSettings.defaults().withStream(stream);
        EventsSettings other = new EventsSettings(stream, Duration.ofHours(1), 50_000_000L, created.bufferSize());
        List<Event> seen = new CopyOnWriteArrayList<>();
        try (EventsHarness warren = new EventsHarness(broker.amqpUri(), queue, other)) {
            TaskEvents reader = warren.reader(created);    // the stream exists, with 7 days and 1 GB
            warren.start();
            OutgoingTask ok = OutgoingTask.of("ok", mapper.createObjectNode());
            warren.publisher().publish(ok).get(5, TimeUnit.SECONDS);
            try (AutoCloseable reading = reader.follow(EventOffset.first(), e -> true, seen::add)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> names(seen, ok.id()).contains("succeeded"));
            }
            assertThat(warren.events().drops().total()).isZero();
        }
    }

    @Test
    void aSecondReaderFromTheStartAfterTheWorkerStoppedSeesTheSameHistory() throws Exception {
        String queue = queues.unique("events-work");
        String stream = queues.unique("events-stream");
        List<Event> live = new CopyOnWriteArrayList<>();
        EventsSettings settings = EventsSettings.defaults().withStream(stream);
        try (EventsHarness warren = new EventsHarness(broker.amqpUri(), queue, settings).start()) {
            try (AutoCloseable reading = warren.reader(settings).follow(EventOffset.first(), e -> true, live::add)) {
                for (int i = 0; i < 20; i++) {
                    warren.publisher().publish(OutgoingTask.of(i % 2 == 0 ? "ok" : "flaky", mapper.createObjectNode()))
                            .get(5, TimeUnit.SECONDS);
                }
                // 10 ok tasks with 3 events each, 10 flaky ones with 7.
                await().atMost(Duration.ofSeconds(20)).until(() -> live.size() == 100);
            }
        }
        try (Connection connection = broker.connect("events-second-reader")) {
            List<Event> replayed = new TaskEvents(connection, stream)
                    .history(EventOffset.first(), e -> true, Duration.ofSeconds(1));
            assertThat(replayed).hasSize(100).containsExactlyElementsOf(live);
            String one = live.get(0).messageId();
            assertThat(new TaskEvents(connection, stream).history(EventOffset.first(), TaskEvents.ofTask(one),
                    Duration.ofSeconds(1))).isNotEmpty().allSatisfy(e -> assertThat(e.messageId()).isEqualTo(one));
        }
    }

    @Test
    void aStoppingWorkerTellsOfEachPrefetchedTaskItPutsBackUnstarted() throws Exception {
        String queue = queues.unique("events-work");
        String stream = queues.unique("events-stream");
        EventsSettings settings = EventsSettings.defaults().withStream(stream);
        List<Event> seen = new CopyOnWriteArrayList<>();
        List<String> ids = new java.util.ArrayList<>();
        try (EventsHarness warren = new EventsHarness(broker.amqpUri(),
                WorkerSettings.of(queue).withPrefetch(10).withShutdownTimeout(Duration.ofSeconds(10)), settings).start();
             AutoCloseable reading = warren.reader(settings).follow(EventOffset.first(), e -> true, seen::add)) {
            for (int i = 0; i < 4; i++) {
                OutgoingTask slow = OutgoingTask.of("slow", mapper.createObjectNode());
                ids.add(slow.id());
                warren.publisher().publish(slow).get(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> names(seen, ids.get(0)).contains("started"));
            warren.worker().stop();
            // The first was running: it finishes. The other three sat in the prefetch buffer: put back.
            await().atMost(Duration.ofSeconds(20)).until(() -> names(seen, ids.get(0)).contains("succeeded")
                    && ids.subList(1, 4).stream().allMatch(id -> names(seen, id).contains("put_back")));
        }
        assertThat(names(seen, ids.get(0))).containsExactly("received", "started", "succeeded");
        for (String id : ids.subList(1, 4)) {
            assertThat(of(seen, id)).singleElement().satisfies(e -> {
                assertThat(e.event()).isEqualTo("put_back");
                assertThat(e.attempt()).isEqualTo(1);
                assertThat(e.worker()).isEqualTo(EventsHarness.WORKER);
                assertThat(e.taskType()).isEqualTo("slow");
            });
        }
    }

    static List<Event> of(List<Event> events, String messageId) {
        return events.stream().filter(e -> messageId.equals(e.messageId())).toList();
    }

    static List<String> names(List<Event> events, String messageId) {
        return of(events, messageId).stream().map(Event::event).toList();
    }

    private static Event last(List<Event> events, String messageId) {
        List<Event> mine = of(events, messageId);
        return mine.get(mine.size() - 1);
    }

}
