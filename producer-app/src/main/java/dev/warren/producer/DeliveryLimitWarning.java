package dev.warren.producer;

import dev.warren.retry.DeadLetter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The warning {@code dlq list} prints when reading may make the DLQ drop letters: a quorum queue
 * counts each return of a read as a delivery ({@code x-delivery-count}, a header only quorum queues
 * add), and RabbitMQ 4.0 to 4.2 give quorum queues a default delivery limit of
 * {@value #DEFAULT_LIMIT}, past which a letter is dropped ({@code Q.dlq} has no dead-letter exchange).
 * From 4.3 a {@code basic.nack} no longer counts; 3.x has no default limit. Whether a policy lifts
 * the limit cannot be seen over AMQP, so the warning says what to set.
 */
final class DeliveryLimitWarning {

    /** RabbitMQ 4.0's default delivery limit of quorum queues. */
    static final int DEFAULT_LIMIT = 20;
    private static final String DELIVERY_COUNT = "x-delivery-count";
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    private DeliveryLimitWarning() {
    }

    /**
     * The warning for {@code letters} read from {@code dlq} on a broker of {@code version} (its
     * {@code server_properties} {@code version}), or empty when reading them cannot drop any.
     */
    static Optional<String> of(String version, String dlq, List<DeadLetter> letters) {
        if (!countsReadsTowardTheLimit(version)) {
            return Optional.empty();
        }
        long mostReturns = letters.stream().mapToLong(DeliveryLimitWarning::deliveryCount).max().orElse(-1);
        if (mostReturns < 0) {
            return Optional.empty();
        }
        return Optional.of("'" + dlq + "' is a quorum queue on RabbitMQ " + version + ", which counts each read as a"
                + " delivery: unless a policy sets delivery-limit -1, a letter read " + DEFAULT_LIMIT + " times is"
                + " dropped (one here was returned " + mostReturns + " time(s) already; docs/retries.md, \"The tools\")");
    }

    /** RabbitMQ 4.0 to 4.2. */
    private static boolean countsReadsTowardTheLimit(String version) {
        Matcher m = version == null ? null : VERSION.matcher(version);
        return m != null && m.find() && Integer.parseInt(m.group(1)) == 4 && Integer.parseInt(m.group(2)) <= 2;
    }

    private static long deliveryCount(DeadLetter letter) {
        Map<String, Object> headers = letter.properties().getHeaders();
        return headers != null && headers.get(DELIVERY_COUNT) instanceof Number count ? count.longValue() : -1;
    }
}
