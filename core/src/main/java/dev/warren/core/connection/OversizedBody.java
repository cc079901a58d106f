package dev.warren.core.connection;

import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one delivery over the worker's limit, kept in a file (see {@link OversizedBodies}).
 * Closing it deletes the file. Thread-safe.
 */
public final class OversizedBody implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OversizedBody.class);

    private final AMQP.BasicProperties properties;
    private final long size;
    private final Path file;
    private final String failure;

    OversizedBody(AMQP.BasicProperties properties, long size, Path file, String failure) {
        this.properties = properties;
        this.size = size;
        this.file = file;
        this.failure = failure;
    }

    /** The delivery's properties as the broker sent them (without the internal marker). */
    public AMQP.BasicProperties properties() {
        return properties;
    }

    /** The body's size in bytes, from its content header. */
    public long size() {
        return size;
    }

    /** True when the whole body is in the file; false when it could not be written (see {@link #failure}). */
    public boolean isKept() {
        return failure == null;
    }

    /** Why the body could not be kept (the disk is full, the directory is not writable), or null. */
    public String failure() {
        return failure;
    }

    /**
     * The body, mapped read-only from its file: off the heap, so publishing it costs one frame of
     * heap at a time.
     *
     * @throws IOException when the body was not kept or the file cannot be read
     */
    public ByteBuffer map() throws IOException {
        if (failure != null) {
            throw new IOException("the body was not kept: " + failure);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // The mapping stays valid after the channel closes (and after the file is deleted).
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
    }

    /**
     * The first {@code max} bytes of the body (fewer when it is shorter), read from its file: enough
     * to show what a message is without reading all of it.
     *
     * @throws IOException when the body was not kept or the file cannot be read
     */
    public byte[] head(int max) throws IOException {
        ByteBuffer mapped = map();
        byte[] head = new byte[(int) Math.min(max, size)];
        mapped.get(head);
        return head;
    }

    @Override
    public void close() {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", file, e.getMessage());
        }
    }
}
