package dev.warren.core.testing;

import com.rabbitmq.client.AMQP;
import java.util.Map;

/**
 * Properties whose own headers nearly fill one AMQP frame: the broker accepts the message, but
 * a copy with Warren's retry or dead-letter headers added no longer fits.
 */
public final class FrameFillingHeaders {

    /** The header that fills the frame. */
    public static final String HEADER = "x-frame-filler";

    // Room left for the rest of the header frame (frame and property overhead, message id,
    // delivery mode): about 80 bytes. Warren's headers need about 300, so they do not fit.
    private static final int ROOM = 200;

    private FrameFillingHeaders() {
    }

    /** Persistent properties with {@code messageId} and one header of about {@code frameMax} bytes. */
    public static AMQP.BasicProperties properties(String messageId, int frameMax) {
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .messageId(messageId)
                .headers(Map.of(HEADER, "x".repeat(frameMax - ROOM)))
                .build();
    }
}
