package dev.warren.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline consumer, written directly against amqp-client: {@code concurrency} channels with
 * {@code basic.qos(prefetch)}, manual acknowledgements, and for each delivery what any real
 * consumer must do at least: parse the JSON body (one reused Jackson reader), read its
 * {@code task_type}, acknowledge.
 */
final class RawDrainer implements Drainer {

    private final Connection connection;
    private final String queue;
    private final int prefetch;
    private final int concurrency;
    private final ObjectReader reader;
    private final LongAdder processed = new LongAdder();
    private final List<Channel> channels = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();

    RawDrainer(Connection connection, String queue, int prefetch, int concurrency, ObjectReader reader) {
        this.connection = connection;
        this.queue = queue;
        this.prefetch = prefetch;
        this.concurrency = concurrency;
        this.reader = reader;
    }

    @Override
    public void start() throws IOException {
        for (int i = 0; i < concurrency; i++) {
            Channel channel = connection.createChannel();
            channel.basicQos(prefetch);
            tags.add(channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    JsonNode task = reader.readTree(body);
                    if (task.path("task_type").asText().isEmpty()) {
                        throw new IOException("a task without task_type");
                    }
                    try {
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    } catch (com.rabbitmq.client.AlreadyClosedException stopped) {
                        return;   // closed by close() while this delivery ran: the broker requeues it
                    }
                    processed.increment();
                }
            }));
            channels.add(channel);
        }
    }

    @Override
    public long processed() {
        return processed.sum();
    }

    @Override
    public long cpuNanos() {
        return JvmProbe.processCpuNanos();
    }

    @Override
    public void close() {
        for (int i = 0; i < channels.size(); i++) {
            try {
                channels.get(i).basicCancel(tags.get(i));
            } catch (IOException | RuntimeException e) {
                // Closing below requeues whatever is unacknowledged anyway.
            }
        }
        tags.clear();
        channels.forEach(Benchmarks::closeQuietly);
        channels.clear();
    }
}
