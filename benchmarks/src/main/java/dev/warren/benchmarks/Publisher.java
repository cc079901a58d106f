package dev.warren.benchmarks;

import java.io.IOException;

/** One side's publisher: sends benchmark tasks with confirms until a count or a deadline. */
interface Publisher {

    /**
     * Publishes to {@code queue} until {@code maxCount} tasks are sent or {@link System#nanoTime()}
     * passes {@code deadlineNanos}, then waits for every confirm.
     *
     * @throws IOException when the broker refuses or does not confirm a publish
     */
    PublishResult publish(String queue, long maxCount, long deadlineNanos) throws IOException, InterruptedException;

    /**
     * Tasks confirmed, the seconds from the first publish to the last confirm, and the CPU time
     * and heap this JVM spent per task meanwhile (publishing thread and confirm handling).
     *
     * @param tasks             confirmed tasks
     * @param seconds           from the first publish to the last confirm
     * @param cpuMicrosPerTask  process CPU time per confirmed task
     * @param allocBytesPerTask heap bytes allocated by all threads per confirmed task
     */
    record PublishResult(long tasks, double seconds, double cpuMicrosPerTask, long allocBytesPerTask) {
        double rate() {
            return tasks / seconds;
        }
    }
}
