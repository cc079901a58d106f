package dev.warren.benchmarks;

/** One side's consumer, draining a pre-filled queue: started, polled for progress, stopped. */
interface Drainer extends AutoCloseable {

    /** Starts consuming; returns once the consumers are registered. */
    void start() throws Exception;

    /** Tasks processed and acknowledged since {@link #start()}. */
    long processed() throws Exception;

    /** CPU time used so far by the consumers' process(es), in nanoseconds. */
    long cpuNanos();

    /** Stops consuming; unacknowledged deliveries go back to the queue. */
    @Override
    void close();
}
