package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reading and replaying a dead-letter queue of a few thousand letters on the real broker. */
class DeadLetterQueueTest {

    private static final int LETTERS = 3_000;

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private Injector warren;
    private DeadLetterQueue dlq;
    private Connection connection;
    private Channel channel;
    private String queue;

    @BeforeEach
    void fill() throws Exception {
        queue = queues.unique("dlq-read");
        connection = broker.connect("dlq-read-test");
        channel = connection.createChannel();
        channel.queueDeclare(queue, true, false, false, null);
        channel.queueDeclare(queue + ".dlq", true, false, false, null);
        channel.confirmSelect();
        for (int i = 0; i < LETTERS; i++) {
            channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().messageId("letter-" + i)
                    .type(i % 3 == 0 ? "alpha" : "beta").headers(Map.of("x-warren-attempt", 5)).build(),
                    ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(30_000);
        warren = Guice.createInjector(new CoreModule(AmqpSettings.builder(broker.amqpUri())
                .connectionName("dlq-read-test-warren").build(), RouteTable.allTo(queue)));
        dlq = warren.getInstance(DeadLetterQueue.class);
    }

    @AfterEach
    void close() throws Exception {
        warren.getInstance(AmqpConnections.class).close();
        connection.close();
    }

    @Test
    void readingEveryLetterRemovesNoneAndKeepsTheirOrder() throws Exception {
        List<String> first = new ArrayList<>();
        dlq.read(queue, DeadLetterQueue.UNLIMITED, letter -> first.add(letter.messageId()));
        List<String> page = new ArrayList<>();
        dlq.read(queue, 10, letter -> page.add(letter.messageId()) && page.size() < 10);

        assertThat(first).containsExactlyElementsOf(ids(IntStream.range(0, LETTERS)));
        assertThat(page).containsExactlyElementsOf(ids(IntStream.range(0, 10)));
        assertThat(idsIn(queue + ".dlq")).containsExactlyElementsOf(ids(IntStream.range(0, LETTERS)));
    }

    @Test
    void replayOfATypeMovesEachMatchOnceAndLeavesTheOthersInOrder() throws Exception {
        int moved = dlq.replay(queue, letter -> letter.taskType().equals("alpha"), queue);

        assertThat(moved).isEqualTo(LETTERS / 3);
        assertThat(idsIn(queue)).containsExactlyInAnyOrderElementsOf(ids(IntStream.range(0, LETTERS).filter(i -> i % 3 == 0)));
        assertThat(idsIn(queue + ".dlq")).containsExactlyElementsOf(ids(IntStream.range(0, LETTERS).filter(i -> i % 3 != 0)));
    }

    @Test
    void cancelledReplayLeavesEveryLetterInExactlyOneQueue() throws Exception {
        AtomicInteger heard = new AtomicInteger();
        int moved = dlq.replay(queue, letter -> true, queue, new ReplayPace(0, 200), () -> heard.get() >= 1_000,
                letter -> heard.incrementAndGet());

        List<String> work = idsIn(queue);
        List<String> left = idsIn(queue + ".dlq");
        assertThat(moved).isBetween(1_000, LETTERS - 1);
        assertThat(work).hasSize(moved);
        List<String> both = new ArrayList<>(work);
        both.addAll(left);
        assertThat(both).containsExactlyInAnyOrderElementsOf(ids(IntStream.range(0, LETTERS)));
    }

    private static List<String> ids(IntStream numbers) {
        return numbers.mapToObj(i -> "letter-" + i).toList();
    }

    /** The message ids in {@code name}, in order, taking the messages off it. */
    private List<String> idsIn(String name) throws Exception {
        List<String> ids = new ArrayList<>();
        for (GetResponse r = channel.basicGet(name, true); r != null; r = channel.basicGet(name, true)) {
            ids.add(r.getProps().getMessageId());
        }
        return ids;
    }
}
