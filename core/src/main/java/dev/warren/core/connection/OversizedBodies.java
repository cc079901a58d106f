package dev.warren.core.connection;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.FrameHandler;
import dev.warren.core.config.WorkerSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Message bodies over the worker's limit ({@code --max-message-bytes}), kept in a file instead of
 * the heap, so one large message can neither exhaust a worker's memory nor make amqp-client
 * close the consuming connection (which would bring the same message back, forever).
 *
 * <p>The consuming connection's frame reader (see {@link AmqpConnections#consuming(java.util.concurrent.ExecutorService,
 * OversizedBodies)}) watches every content header. When a body is over the limit it writes the
 * body frames to a file under {@code java.io.tmpdir} as they arrive, then hands amqp-client the
 * delivery with an empty body and an internal header naming the file. The worker {@linkplain
 * #claim claims} it by that header and dead-letters a copy straight from the file. Heap used:
 * one frame ({@code frame_max}, 128 KiB by default) whatever the body's size.
 *
 * <p>Thread-safe: the reader thread registers bodies, consumer threads claim them.
 */
@Singleton
public final class OversizedBodies implements AutoCloseable {

    /**
     * The largest {@code max_message_size} RabbitMQ accepts (512 MiB): no delivery can be larger,
     * so amqp-client's own inbound limit is set above it and can never close the connection.
     */
    public static final int LARGEST_BROKER_MESSAGE = 512 * 1024 * 1024;
    /** Internal header on a delivery whose body was kept in a file; never leaves the worker. */
    static final String MARKER = "x-warren-oversized-body";

    private final long limit;
    private final Path directory;
    private final ConcurrentMap<String, OversizedBody> kept = new ConcurrentHashMap<>();
    private final AtomicInteger arriving = new AtomicInteger();

    /** Bodies over {@code settings.maxMessageBytes()}, kept under {@code java.io.tmpdir}. */
    @Inject
    public OversizedBodies(WorkerSettings settings) {
        this(settings.maxMessageBytes(), Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Bodies over {@code limit} bytes, kept in {@code directory}. */
    public OversizedBodies(long limit, Path directory) {
        this.limit = limit;
        this.directory = directory;
    }

    /** Bodies larger than this many bytes are kept in a file. */
    public long limit() {
        return limit;
    }

    /**
     * The kept body of a delivery, if its properties carry the internal marker of a body this
     * process kept; the caller owns it from now on and must {@linkplain OversizedBody#close close}
     * it. A marker this process did not write (a producer's) matches nothing.
     */
    public Optional<OversizedBody> claim(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties.getHeaders();
        Object marker = headers == null ? null : headers.get(MARKER);
        return marker == null ? Optional.empty() : Optional.ofNullable(kept.remove(marker.toString()));
    }

    /** Wraps a connection's frame handler so that it keeps bodies over the limit in files. */
    FrameHandler guard(FrameHandler handler) {
        return new OversizedBodyReader(handler, this);
    }

    /**
     * Whether a body over the limit is being received right now on a connection this guards: its
     * delivery reaches amqp-client only with its last frame, which for hundreds of MiB can take
     * seconds, so a reader waiting for deliveries must not take that time for idleness.
     */
    public boolean arriving() {
        return arriving.get() > 0;
    }

    /** Called by the reader when a body over the limit starts, and once more when it ends either way. */
    void arrival(boolean started) {
        if (started) {
            arriving.incrementAndGet();
        } else {
            arriving.decrementAndGet();
        }
    }

    Path directory() {
        return directory;
    }

    /** Called by the reader once a body is complete (or failed); {@code marker} goes into the delivery's headers. */
    void register(String marker, OversizedBody body) {
        kept.put(marker, body);
    }

    /** Deletes the files of bodies nobody claimed (deliveries amqp-client dropped with their channel). */
    @Override
    public void close() {
        kept.values().removeIf(body -> {
            body.close();
            return true;
        });
    }
}
