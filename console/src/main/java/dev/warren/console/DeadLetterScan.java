package dev.warren.console;

import dev.warren.retry.DeadLetter;
import dev.warren.retry.DeadLetterQueue;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Visits every dead letter of a work queue once, holding none of them: counts of filtered lists
 * of any size in bounded memory (the reader's buffers, {@code DeadLetterReader}). Reads through {@link DeadLetterQueue#read} with no
 * prefetch limit (one round trip, the broker pushing as fast as the letters are visited). Like every
 * read, it removes nothing.
 */
final class DeadLetterScan {

    private DeadLetterScan() {
    }

    static void each(DeadLetterQueue dlq, String queue, Consumer<DeadLetter> visitor) throws IOException {
        dlq.read(queue, DeadLetterQueue.UNLIMITED, letter -> {
            visitor.accept(letter);
            return true;
        });
    }
}
