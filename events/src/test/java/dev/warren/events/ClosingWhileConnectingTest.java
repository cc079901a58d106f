package dev.warren.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.NoOpMetricsCollector;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A publisher closed while its thread is still opening the events connection (a slow broker, a
 * slow network): connecting cannot be interrupted, so the connection opens after close() gave up
 * waiting. The publisher thread, which alone opens and closes it, closes it then; none is left
 * open behind a closed publisher.
 */
class ClosingWhileConnectingTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aConnectionThatOpensAfterCloseGaveUpIsClosedByThePublisherThread() throws Exception {
        String stream = queues.unique("events-closing");
        EventDrops drops = new EventDrops(stream);
        try (HeldProxy proxy = HeldProxy.to(broker.host(), broker.port());
             AmqpConnections connections = new AmqpConnections(
                     AmqpSettings.of(proxy.uri(broker.amqpUri())).withConnectionName("warren-test-" + stream), Set.of(), Clock.systemUTC(),
                     new NoOpMetricsCollector())) {
            EventPublisher events = new EventPublisher(EventsSettings.defaults().withStream(stream), connections, drops);
            events.start();
            events.offer(Event.published("closing", "closing", stream, "warren-test", Instant.now()));
            await("the publisher thread connecting").atMost(Duration.ofSeconds(20)).until(() -> proxy.accepted() == 1);

            events.close();         // waits for the flush, then gives up: the handshake is held
            proxy.release();        // the broker answers: the connection opens now

            await("the events connection closed by its client").atMost(Duration.ofSeconds(20))
                    .until(() -> proxy.closedByClient() == 1);
            assertThat(proxy.accepted()).as("connections opened through the proxy").isEqualTo(1);
            assertThat(drops.count(EventDrops.Reason.SHUTDOWN)).isEqualTo(1);
        }
    }
}
