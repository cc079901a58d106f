package dev.warren.metrics;

/**
 * Every metric Warren records, named once. The constants are Micrometer names; the Prometheus
 * name each one is exported as (and that docs, alerts and the dashboard use) is in its Javadoc.
 * Timers are Prometheus histograms: {@code _bucket}, {@code _count}, {@code _sum}, plus a
 * {@code _max} gauge.
 */
public final class MetricNames {

    /** {@code warren_tasks_total{queue,task_type,outcome}}: finished deliveries; outcome succeeded, retried or dead_lettered. */
    public static final String TASKS = "warren.tasks";
    /**
     * {@code warren_tasks_too_large_total{queue}}: deliveries whose body was over the worker's
     * {@code --max-message-bytes}, moved to the DLQ unread (each delivery counts, a redelivery again).
     */
    public static final String TASKS_TOO_LARGE = "warren.tasks.too.large";
    /** {@code warren_task_duration_seconds{queue,task_type}}: histogram of delivery to acknowledgement. */
    public static final String TASK_DURATION = "warren.task.duration";
    /** {@code warren_task_latency_seconds{queue,task_type}}: histogram of the message's publish timestamp to the start of handling. */
    public static final String TASK_LATENCY = "warren.task.latency";
    /** {@code warren_tasks_in_flight{queue}}: deliveries being handled right now. */
    public static final String TASKS_IN_FLIGHT = "warren.tasks.in.flight";
    /**
     * {@code warren_tasks_overdue{queue}}: runs past their time limit whose handler ignored the
     * interruption and still runs (their attempt has already failed); they are also in flight.
     */
    public static final String TASKS_OVERDUE = "warren.tasks.overdue";
    /**
     * {@code warren_tasks_abandoned_total{queue}}: runs that ended after their delivery was lost
     * with its channel or connection; the broker redelivered those tasks, so these runs sent no
     * result and count no outcome.
     */
    public static final String TASKS_ABANDONED = "warren.tasks.abandoned";
    /**
     * {@code warren_worker_errors_total{queue}}: exceptions outside handlers: a task listener
     * threw, or a failed task could not be moved to a retry queue or the DLQ (it went back to the queue).
     */
    public static final String WORKER_ERRORS = "warren.worker.errors";
    /** {@code warren_published_total{task_type,result}}: publishes by how they ended; result confirmed, nacked, returned or failed. */
    public static final String PUBLISHED = "warren.published";
    /** {@code warren_publish_confirm_seconds}: histogram of publish to the broker's confirm (or nack or return). */
    public static final String PUBLISH_CONFIRM = "warren.publish.confirm";
    /** {@code warren_connection_recoveries_total}: automatic connection recoveries begun, i.e. connections lost. */
    public static final String CONNECTION_RECOVERIES = "warren.connection.recoveries";
    /** {@code warren_connection_blocked}: 1 while the broker blocks a connection of this process (memory or disk alarm), else 0. */
    public static final String CONNECTION_BLOCKED = "warren.connection.blocked";
    /** {@code warren_queue_messages{queue}}: ready messages in the work queue, its retry queues and its DLQ. */
    public static final String QUEUE_MESSAGES = "warren.queue.messages";
    /** {@code warren_queue_consumers{queue}}: consumers of those queues, across all workers. */
    public static final String QUEUE_CONSUMERS = "warren.queue.consumers";
    /**
     * {@code warren_events_dropped_total{reason}}: task events dropped instead of published to the
     * events stream; reason buffer_full, unavailable, refused, nacked, unroutable or shutdown (docs/events.md).
     */
    public static final String EVENTS_DROPPED = "warren.events.dropped";
    /**
     * Prefix of amqp-client's own metrics ({@code MicrometerMetricsCollector}), e.g.
     * {@code warren_amqp_connections}, {@code warren_amqp_published_total},
     * {@code warren_amqp_consumed_total}; not {@code rabbitmq_}, which the broker's own
     * Prometheus plugin uses.
     */
    public static final String AMQP_CLIENT_PREFIX = "warren.amqp";

    /** Tag: the work queue (or, for queue gauges, any of its queues). */
    public static final String QUEUE = "queue";
    /** Tag: a registered task type, or {@code unknown}. */
    public static final String TASK_TYPE = "task_type";
    /** Tag: how a task attempt ended ({@code TaskOutcome.label()}). */
    public static final String OUTCOME = "outcome";
    /** Tag: why task events were dropped ({@code EventDrops.Reason.label()}). */
    public static final String REASON = "reason";
    /** Tag: how a publish ended ({@code PublishListener.Result.label()}). */
    public static final String RESULT = "result";

    private MetricNames() {
    }
}
