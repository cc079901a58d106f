package dev.warren.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.NoOpMetricsCollector;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator deletes the events stream under a running publisher (docs/events.md allows it, to
 * change retention). Deleting a queue does not close the channels that publish to it, so only a
 * mandatory publish can tell: the returned events are dropped and counted as unroutable, logged
 * once, and the stream is declared again for the events that follow.
 */
class DeletedStreamTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void eventsToADeletedStreamAreCountedAsUnroutableLoggedOnceAndTheStreamIsDeclaredAgain() throws Exception {
        String stream = queues.unique("events-deleted");
        EventsSettings settings = EventsSettings.defaults().withStream(stream);
        EventDrops drops = new EventDrops(stream);
        try (LogCapture logs = LogCapture.of("dev.warren.events");
             AmqpConnections connections = new AmqpConnections(
                     AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-" + stream), Set.of(),
                     Clock.systemUTC(), new NoOpMetricsCollector());
             EventPublisher events = new EventPublisher(settings, connections, drops);
             Connection admin = broker.connect("warren-test-" + stream + "-admin")) {
            events.start();
            events.offer(event("before"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.confirmed() == 1);

            try (Channel channel = admin.createChannel()) {
                channel.queueDelete(stream);
            }
            await("events to the deleted stream counted as dropped").atMost(Duration.ofSeconds(20)).until(() -> {
                events.offer(event("meanwhile"));
                return drops.count(EventDrops.Reason.UNROUTABLE) > 0;
            });
            String after = "after-" + UUID.randomUUID();
            // Reading the stream fails while it does not exist: ignored until it is there again.
            await("an event in the stream declared again").atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                events.offer(event(after));
                return !new TaskEvents(admin, stream).history(EventOffset.first(), e -> after.equals(e.messageId()),
                        Duration.ofMillis(500)).isEmpty();
            });

            assertThat(drops.total()).isEqualTo(drops.count(EventDrops.Reason.UNROUTABLE));
            assertThat(logs.lines()).filteredOn(line -> line.startsWith("WARN")).singleElement().asString()
                    .contains("task events to stream '" + stream + "' are being dropped", "unroutable");
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.text().contains("task events flow again"));
        }
    }

    private static Event event(String messageId) {
        return Event.published(messageId, "deleted_stream", "events-deleted", "warren-test", Instant.now());
    }
}
