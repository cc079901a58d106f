package dev.warren.core.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.WriteListener;
import com.rabbitmq.client.impl.AMQConnection;
import com.rabbitmq.client.impl.AMQContentHeader;
import com.rabbitmq.client.impl.AMQImpl;
import com.rabbitmq.client.impl.Frame;
import com.rabbitmq.client.impl.FrameHandler;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frame reader alone, fed scripted frames: what amqp-client sees and what is kept. */
class OversizedBodyReaderTest {

    private static final int LIMIT = 1024;

    @TempDir
    Path directory;

    @Test
    void aBodyOverTheLimitGoesToAFileAndAmqpClientGetsAnEmptyBodyWithTheMarker() throws Exception {
        OversizedBodies bodies = new OversizedBodies(LIMIT, directory);
        byte[] body = new byte[2500];
        Arrays.fill(body, (byte) 'x');
        Scripted broker = new Scripted(
                header(1, 2500, "big"), new Frame(AMQP.FRAME_BODY, 1, Arrays.copyOfRange(body, 0, 1000)),
                header(2, 10, "small"), new Frame(AMQP.FRAME_BODY, 2, new byte[10]),
                new Frame(AMQP.FRAME_BODY, 1, Arrays.copyOfRange(body, 1000, 2000)),
                new Frame(AMQP.FRAME_BODY, 1, Arrays.copyOfRange(body, 2000, 2500)));
        FrameHandler reader = bodies.guard(broker);

        assertThat(bodies.arriving()).isFalse();
        assertThat(reader.readFrame().getType()).as("big header held back").isEqualTo(AMQP.FRAME_HEARTBEAT);
        assertThat(bodies.arriving()).as("arriving after its header").isTrue();
        assertThat(reader.readFrame().getType()).as("big body frame 1 to the file").isEqualTo(AMQP.FRAME_HEARTBEAT);
        Frame small = reader.readFrame();
        assertThat(small.getType()).isEqualTo(AMQP.FRAME_HEADER);
        assertThat(bodySize(small)).as("another channel's small message passes").isEqualTo(10);
        assertThat(reader.readFrame().getPayload()).hasSize(10);
        assertThat(reader.readFrame().getType()).isEqualTo(AMQP.FRAME_HEARTBEAT);
        assertThat(bodies.arriving()).as("arriving until its last frame").isTrue();
        Frame big = reader.readFrame();
        assertThat(bodies.arriving()).as("arrived").isFalse();
        assertThat(big.getType()).isEqualTo(AMQP.FRAME_HEADER);
        assertThat(big.getChannel()).isEqualTo(1);
        assertThat(bodySize(big)).isZero();

        AMQP.BasicProperties seen = properties(big);
        assertThat(seen.getMessageId()).isEqualTo("big");
        assertThat(seen.getHeaders()).containsKey(OversizedBodies.MARKER);
        OversizedBody kept = bodies.claim(seen).orElseThrow();
        assertThat(kept.size()).isEqualTo(2500);
        assertThat(kept.properties().getHeaders()).containsOnlyKeys("x-own");
        assertThat(kept.properties().getHeaders().get("x-own")).hasToString("kept");
        ByteBuffer mapped = kept.map();
        byte[] read = new byte[mapped.remaining()];
        mapped.get(read);
        assertThat(read).isEqualTo(body);
        assertThat(bodies.claim(seen)).as("claimed once").isEmpty();
        kept.close();
        assertThat(files()).isEmpty();
    }

    @Test
    void aConnectionLostInTheMiddleOfABodyLeavesNoFileBehind() throws Exception {
        OversizedBodies bodies = new OversizedBodies(LIMIT, directory);
        FrameHandler reader = bodies.guard(new Scripted(header(1, 5000, "cut"), new Frame(AMQP.FRAME_BODY, 1, new byte[1000])));
        reader.readFrame();
        reader.readFrame();
        assertThat(files()).hasSize(1);
        assertThat(bodies.arriving()).isTrue();

        reader.close();

        assertThat(files()).isEmpty();
        assertThat(bodies.arriving()).as("no longer arriving once its connection is gone").isFalse();
    }

    @Test
    void aBodyThatCannotBeWrittenIsStillCountedAndClaimedAsNotKept() throws Exception {
        OversizedBodies bodies = new OversizedBodies(LIMIT, directory.resolve("missing"));
        FrameHandler reader = bodies.guard(new Scripted(header(1, 2000, "nodisk"),
                new Frame(AMQP.FRAME_BODY, 1, new byte[1000]), new Frame(AMQP.FRAME_BODY, 1, new byte[1000])));
        reader.readFrame();
        reader.readFrame();
        Frame header = reader.readFrame();

        OversizedBody kept = bodies.claim(properties(header)).orElseThrow();
        assertThat(kept.isKept()).isFalse();
        assertThat(kept.size()).isEqualTo(2000);
        assertThat(kept.failure()).contains("NoSuchFileException");
    }

    private static Frame header(int channel, long bodySize, String id) throws IOException {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id)
                .headers(Map.of("x-own", "kept")).build();
        return ((AMQContentHeader) properties).toFrame(channel, bodySize);
    }

    private static long bodySize(Frame header) {
        return ByteBuffer.wrap(header.getPayload()).getLong(4);
    }

    private static AMQP.BasicProperties properties(Frame header) throws IOException {
        return (AMQP.BasicProperties) AMQImpl.readContentHeaderFrom(
                new DataInputStream(new ByteArrayInputStream(header.getPayload())));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }

    /** A frame handler that hands out the frames it was given, as a broker would send them. */
    private static final class Scripted implements FrameHandler {
        private final Deque<Frame> frames;

        Scripted(Frame... frames) {
            this.frames = new ArrayDeque<>(List.of(frames));
        }

        @Override
        public Frame readFrame() {
            return frames.poll();
        }

        @Override
        public void setTimeout(int timeoutMs) {
        }

        @Override
        public int getTimeout() {
            return 0;
        }

        @Override
        public void sendHeader() {
        }

        @Override
        public void initialize(AMQConnection connection) {
        }

        @Override
        public void startProcessing() {
        }

        @Override
        public void finishConnectionNegotiation() {
        }

        @Override
        public void setFrameMax(int value) {
        }

        @Override
        public void writeFrame(Frame frame) {
        }

        @Override
        public void flush(WriteListener listener) {
        }

        @Override
        public void close() {
        }

        @Override
        public InetAddress getLocalAddress() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public int getLocalPort() {
            return 0;
        }

        @Override
        public InetAddress getAddress() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public int getPort() {
            return 0;
        }
    }
}
