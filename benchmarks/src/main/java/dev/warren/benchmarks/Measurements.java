package dev.warren.benchmarks;

/** What the benchmark measured, for the report. */
final class Measurements {

    private Measurements() {
    }

    /**
     * One drain of a pre-filled queue.
     *
     * @param tasks            tasks acknowledged during the measurement
     * @param seconds          how long it ran (the duration, or less when the queue ran empty)
     * @param cpuCores         CPU time of the consumer process(es) per wall second
     * @param cpuMicrosPerTask CPU time per task
     * @param allocBytesPerTask heap bytes allocated per task (in-process only, else -1)
     * @param peakHeapMib      most heap in use (in-process only, else -1)
     * @param gcs              garbage collections during the drain (in-process only, else -1)
     * @param maxRssMib        largest resident set of the worker processes (processes only, else -1)
     */
    record Drain(long tasks, double seconds, double cpuCores, double cpuMicrosPerTask, long allocBytesPerTask,
                 long peakHeapMib, long gcs, long maxRssMib) {
        double rate() {
            return tasks / seconds;
        }
    }

    /** Publish then drain, by one side (raw, Warren, or Warren's typed publish). */
    record Side(Publisher.PublishResult publish, Drain drain) {
    }

    /**
     * Raw and Warren at one prefetch and concurrency, in one round.
     *
     * @param typed Warren's typed publish ({@code --typed}; its tasks drained by the Warren worker), else null
     */
    record Pair(int round, int prefetch, int concurrency, Side raw, Side warren, Side typed) {
    }

    /** K worker-app processes draining one queue, in one round. */
    record Processes(int round, int processes, int prefetch, int concurrency, Drain drain) {
    }
}
