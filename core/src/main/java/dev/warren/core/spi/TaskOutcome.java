package dev.warren.core.spi;

/** How one attempt at a task ended. Also the {@code outcome} label of {@code warren_tasks_total}. */
public enum TaskOutcome {
    /** The handler returned; the task is acknowledged. */
    SUCCEEDED,
    /** It failed and was republished for another attempt. */
    RETRIED,
    /** It failed for good and sits in the dead-letter queue. */
    DEAD_LETTERED;

    // Computed once: label() is called for every finished task.
    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name used in metrics and results. */
    public String label() {
        return label;
    }
}
