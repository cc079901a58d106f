package dev.warren.benchmarks;

import com.rabbitmq.client.Channel;

/** Small helpers of the benchmark. */
final class Benchmarks {

    private Benchmarks() {
    }

    /** Closes a channel that may already be closed; a benchmark's cleanup must not fail the run. */
    static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (Exception e) {
            // Closed by the broker or the connection already: nothing left to release.
        }
    }
}
