package dev.warren.worker;

import com.rabbitmq.client.AMQP;
import java.util.Objects;

/**
 * One message of {@link BadInputFuzzTest}: what to publish and what a worker must do with it.
 *
 * @param name       where it comes from, e.g. {@code utf16le-without-bom} (corpus) or {@code truncated#17} (generated)
 * @param body       the exact bytes to publish
 * @param properties the properties to publish with; the test adds {@code message_id} (and {@code reply_to})
 * @param expect     {@link #SUCCEEDED}, or the simple name of the exception it must be dead-lettered with
 */
record FuzzMessage(String name, byte[] body, AMQP.BasicProperties properties, String expect) {

    static final String SUCCEEDED = "succeeded";
    static final String MALFORMED = "MalformedTaskException";
    static final String TOO_LARGE = "TaskTooLargeException";
    static final String UNKNOWN_TYPE = "UnknownTaskTypeException";
    static final String INVALID_PAYLOAD = "InvalidPayloadException";

    FuzzMessage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(expect, "expect");
    }

    boolean shouldSucceed() {
        return SUCCEEDED.equals(expect);
    }

    /** The name without a generated message's {@code #n} suffix: the corpus seed or the mutation. */
    String category() {
        int hash = name.indexOf('#');
        return hash < 0 ? "corpus" : name.substring(0, hash);
    }
}
