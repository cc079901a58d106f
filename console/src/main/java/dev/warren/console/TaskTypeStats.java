package dev.warren.console;

import dev.warren.events.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the events of a window say about each task type on each queue: attempts that succeeded,
 * were retried, were dead-lettered or failed, their rates over the window, the run time
 * percentiles of attempts that ended ({@code succeeded} and {@code failed} events'
 * {@code duration_ms}) and the latest error. Fed one event at a time; not thread safe.
 */
final class TaskTypeStats {

    static final String SUCCEEDED = "succeeded";
    static final String RETRIED = "retried";
    static final String DEAD_LETTERED = "dead_lettered";
    static final String FAILED = "failed";
    private static final List<String> COUNTED = List.of(SUCCEEDED, RETRIED, DEAD_LETTERED, FAILED);

    /** One task type on one queue. */
    private static final class TypeOnQueue {
        final Map<String, Long> counts = new LinkedHashMap<>();
        final RunTimes runTimes = new RunTimes();
        Event lastError;
    }

    private final Map<String, Map<String, TypeOnQueue>> byType = new TreeMap<>();

    void add(Event event) {
        if (!COUNTED.contains(event.event())) {
            return;
        }
        TypeOnQueue stats = byType.computeIfAbsent(String.valueOf(event.taskType()), type -> new TreeMap<>())
                .computeIfAbsent(String.valueOf(event.queue()), queue -> new TypeOnQueue());
        stats.counts.merge(event.event(), 1L, Long::sum);
        if (event.durationMs() != null && (SUCCEEDED.equals(event.event()) || FAILED.equals(event.event()))) {
            stats.runTimes.add(event.durationMs());
        }
        if (event.error() != null && (stats.lastError == null || !event.at().isBefore(stats.lastError.at()))) {
            stats.lastError = event;
        }
    }

    /** One row per task type and queue, by type then queue; rates are per second over {@code window}. */
    List<Map<String, Object>> rows(Duration window) {
        double seconds = window.toMillis() / 1000.0;
        List<Map<String, Object>> rows = new ArrayList<>();
        byType.forEach((type, queues) -> queues.forEach((queue, stats) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("task_type", type);
            row.put("queue", queue);
            for (String name : COUNTED) {
                row.put(name, stats.counts.getOrDefault(name, 0L));
            }
            for (String name : COUNTED) {
                row.put(name + "_rate", stats.counts.getOrDefault(name, 0L) / seconds);
            }
            Map<String, Object> runTime = new LinkedHashMap<>();
            runTime.put("count", stats.runTimes.count());
            runTime.put("p50", stats.runTimes.percentile(50));
            runTime.put("p95", stats.runTimes.percentile(95));
            runTime.put("p99", stats.runTimes.percentile(99));
            row.put("run_time_ms", runTime);
            row.put("last_error", stats.lastError == null ? null : lastError(stats.lastError));
            rows.add(row);
        }));
        return rows;
    }

    private static Map<String, Object> lastError(Event event) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", event.error());
        error.put("error_message", event.errorMessage());
        error.put("at", event.at().toString());
        error.put("message_id", event.messageId());
        return error;
    }
}
