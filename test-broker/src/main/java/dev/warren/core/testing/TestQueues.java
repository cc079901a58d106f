package dev.warren.core.testing;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Queue names of a test's own, so tests can share a broker and run in any order.
 * {@link QueueCleanup} deletes them afterwards.
 */
public final class TestQueues {

    private TestQueues() {
    }

    /**
     * A new queue name: the prefix, a dash and 8 random hex digits, e.g.
     * {@code unique("roundtrip")} gives {@code roundtrip-3fa94c0e}.
     *
     * @throws IllegalArgumentException if the prefix is blank
     */
    public static String unique(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("queue name prefix must not be blank, was: '" + prefix + "'");
        }
        return prefix + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }
}
