package dev.warren.core.connection;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.WriteListener;
import com.rabbitmq.client.impl.AMQContentHeader;
import com.rabbitmq.client.impl.AMQImpl;
import com.rabbitmq.client.impl.AMQConnection;
import com.rabbitmq.client.impl.Frame;
import com.rabbitmq.client.impl.FrameHandler;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame handler of a consuming connection, with bodies over the limit kept in files.
 *
 * <p>amqp-client assembles a body from all its frames before it hands the delivery over, costing
 * twice the body in heap, and it closes the whole connection on a body over its own limit; the
 * broker then redelivers the same message to the new connection, forever. Here a content header
 * whose body size is over {@link OversizedBodies#limit()} is held back; the body frames that
 * follow on its channel go to a file, and amqp-client sees a heartbeat for each (data did arrive).
 * After the last one, amqp-client gets the held header with body size 0 and the internal marker
 * added, so the delivery reaches its consumer at once with an empty body. AMQP never interleaves
 * frames of two messages on one channel, so one body at a time per channel is tracked.
 *
 * <p>{@link #readFrame()} runs on the connection's single reader thread; {@link #close()} may run
 * on another, so the per-channel state is concurrent and each {@link Spill} synchronized.
 */
final class OversizedBodyReader implements FrameHandler {

    private static final Logger log = LoggerFactory.getLogger(OversizedBodyReader.class);
    /** What amqp-client sees instead of a body frame that went to a file. */
    private static final Frame HEARTBEAT = new Frame(AMQP.FRAME_HEARTBEAT, 0);
    /** Offset of the body size (a long) in a content header frame's payload: after class id and weight. */
    private static final int BODY_SIZE_OFFSET = 4;

    private final FrameHandler delegate;
    private final OversizedBodies bodies;
    private final Map<Integer, Spill> spilling = new ConcurrentHashMap<>();

    OversizedBodyReader(FrameHandler delegate, OversizedBodies bodies) {
        this.delegate = delegate;
        this.bodies = bodies;
    }

    @Override
    public Frame readFrame() throws IOException {
        Frame frame = delegate.readFrame();
        if (frame == null) {
            return null;
        }
        if (frame.getType() == AMQP.FRAME_HEADER) {
            byte[] payload = frame.getPayload();
            long size = payload.length >= BODY_SIZE_OFFSET + Long.BYTES
                    ? ByteBuffer.wrap(payload).getLong(BODY_SIZE_OFFSET) : 0;
            if (size > bodies.limit()) {
                spilling.put(frame.getChannel(), new Spill(frame.getChannel(), payload, size));
                return HEARTBEAT;
            }
        } else if (frame.getType() == AMQP.FRAME_BODY) {
            Spill spill = spilling.get(frame.getChannel());
            if (spill != null) {
                if (!spill.append(frame.getPayload())) {
                    return HEARTBEAT;
                }
                spilling.remove(frame.getChannel());
                return spill.finish();
            }
        }
        return frame;
    }

    @Override
    public void close() {
        // The connection is gone: bodies half received will be redelivered in full.
        spilling.values().forEach(Spill::abandon);
        spilling.clear();
        delegate.close();
    }

    @Override
    public boolean internalHearbeat() {
        return delegate.internalHearbeat();
    }

    @Override
    public void setTimeout(int timeoutMs) throws SocketException {
        delegate.setTimeout(timeoutMs);
    }

    @Override
    public int getTimeout() throws SocketException {
        return delegate.getTimeout();
    }

    @Override
    public void sendHeader() throws IOException {
        delegate.sendHeader();
    }

    @Override
    public void initialize(AMQConnection connection) {
        delegate.initialize(connection);
    }

    @Override
    public void startProcessing() {
        delegate.startProcessing();
    }

    @Override
    public void finishConnectionNegotiation() {
        delegate.finishConnectionNegotiation();
    }

    @Override
    public void setFrameMax(int value) {
        delegate.setFrameMax(value);
    }

    @Override
    public void writeFrame(Frame frame) throws IOException {
        delegate.writeFrame(frame);
    }

    @Override
    public void flush(WriteListener listener) throws IOException {
        delegate.flush(listener);
    }

    @Override
    public InetAddress getLocalAddress() {
        return delegate.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
        return delegate.getLocalPort();
    }

    @Override
    public InetAddress getAddress() {
        return delegate.getAddress();
    }

    @Override
    public int getPort() {
        return delegate.getPort();
    }

    /** One body on its way to a file. */
    private final class Spill {
        private final int channel;
        private final byte[] header;
        private final long size;
        private long received;
        // Guarded by "this"; null once the body could not be written (then its frames are only counted).
        private Path file;
        private FileChannel out;
        private String failure;
        private boolean ended;

        Spill(int channel, byte[] header, long size) {
            this.channel = channel;
            this.header = header;
            this.size = size;
            bodies.arrival(true);
            try {
                file = Files.createTempFile(bodies.directory(), "warren-body-", ".bin");
                out = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        /** Writes one body frame; true when the body is complete. */
        synchronized boolean append(byte[] fragment) {
            received += fragment.length;
            if (out != null) {
                try {
                    ByteBuffer buffer = ByteBuffer.wrap(fragment);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }
            return received >= size;
        }

        /** Registers the body and returns the header amqp-client gets: body size 0, marker added. */
        synchronized Frame finish() throws IOException {
            ended();
            AMQP.BasicProperties properties = (AMQP.BasicProperties) AMQImpl.readContentHeaderFrom(
                    new DataInputStream(new ByteArrayInputStream(header)));
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    fail(e);
                }
            }
            String marker = UUID.randomUUID().toString();
            bodies.register(marker, new OversizedBody(properties, size, failure == null ? file : null, failure));
            Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders());
            headers.put(OversizedBodies.MARKER, marker);
            AMQP.BasicProperties marked = properties.builder().headers(headers).build();
            log.debug("body of {} bytes on channel {} kept in {}", size, channel, file);
            return ((AMQContentHeader) marked).toFrame(channel, 0);
        }

        synchronized void abandon() {
            ended();
            fail(null);
        }

        /** Tells {@link OversizedBodies#arriving} this body no longer arrives; once, however it ends. */
        private void ended() {
            if (!ended) {
                ended = true;
                bodies.arrival(false);
            }
        }

        private void fail(Exception e) {
            if (e != null && failure == null) {
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                log.warn("cannot keep a body of {} bytes in {}: {}", size, bodies.directory(), failure);
            }
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // Deleted next; nothing else to do.
                }
                out = null;
            }
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // A leftover temp file; its name says what it is.
                }
                file = null;
            }
        }
    }
}
