package dev.warren.console;

import dev.warren.retry.DeadLetter;
import dev.warren.retry.DeadLetterQueue;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Visits every dead letter of a work queue once, holding none of them: list views, counts and
 * exports of any size in constant memory. Reads through {@link DeadLetterQueue#list}, which calls
 * its filter once per message present and keeps only the matches: a filter that visits and never
 * matches sees every message and keeps nothing. Like every read, it removes nothing.
 */
final class DeadLetterScan {

    private DeadLetterScan() {
    }

    static void each(DeadLetterQueue dlq, String queue, Consumer<DeadLetter> visitor) throws IOException {
        dlq.list(queue, letter -> {
            visitor.accept(letter);
            return false;
        }, 1);
    }
}
