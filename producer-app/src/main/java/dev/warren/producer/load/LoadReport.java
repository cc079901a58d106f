package dev.warren.producer.load;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The summary of a load run, printed as text or (with {@code --json}) as JSON with the same
 * snake_case names.
 *
 * @param queue          the work queue
 * @param publishers     publishing threads (one channel each)
 * @param window         publishes awaiting a confirm at most
 * @param targetRate     {@code --rate}, or null for as fast as confirms allow
 * @param sentByType     tasks sent per task type (dead-letter tasks count under {@code fail})
 * @param deadLetterTasks tasks sent by {@code --fail-ratio} to fail every attempt
 * @param sent           tasks handed to the broker
 * @param confirmed      tasks the broker confirmed
 * @param nacked         tasks the broker refused
 * @param returned       tasks no queue took (unroutable)
 * @param failed         tasks whose connection or channel closed before the confirm
 * @param unconfirmed    tasks without any answer from the broker when the run gave up waiting
 * @param seconds        from the first publish to the last confirm
 * @param publishRate    confirmed tasks per second over {@code seconds}
 * @param maxLagSeconds  with {@code --rate}: how far sending fell behind the schedule at worst
 * @param confirmLatency from publish to confirm
 * @param results        with {@code --await-results}: what came back, else null
 */
record LoadReport(String queue, int publishers, int window, Double targetRate, Map<String, Long> sentByType,
                  long deadLetterTasks, long sent, long confirmed, long nacked, long returned, long failed,
                  long unconfirmed, double seconds, double publishRate, Double maxLagSeconds, Latency confirmLatency,
                  Results results) {

    /**
     * Results of tasks sent with {@code reply_to}.
     *
     * @param completed     tasks whose first result says {@code succeeded}
     * @param deadLettered  tasks whose first result says {@code dead_lettered}
     * @param missing       confirmed tasks without a result when the wait ended
     * @param duplicates    results beyond the first for the same task
     * @param unexpected    results for tasks this run did not send, unreadable ones, unknown statuses
     * @param waitedSeconds from the last confirm until the wait ended
     * @param endToEnd      from publish to the first result, for completed tasks
     */
    record Results(long completed, long deadLettered, long missing, long duplicates, long unexpected,
                   double waitedSeconds, Latency endToEnd) {
    }

    /**
     * Percentiles of a latency, in milliseconds.
     *
     * @param count how many were measured
     */
    record Latency(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

        /** From a histogram of microseconds. */
        static Latency of(Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0);
            }
            return new Latency(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                    ms(micros.getValueAtPercentile(95)), ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()));
        }

        private static double ms(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }

        String text() {
            return count == 0 ? "none measured"
                    : String.format(Locale.ROOT, "p50 %s  p95 %s  p99 %s  max %s", fmt(p50Ms), fmt(p95Ms), fmt(p99Ms),
                            fmt(maxMs));
        }

        private static String fmt(double ms) {
            return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000)
                    : String.format(Locale.ROOT, ms >= 100 ? "%.0f ms" : ms >= 10 ? "%.1f ms" : "%.2f ms", ms);
        }
    }

    /** True when the broker confirmed every task and, when awaited, every confirmed task was answered. */
    boolean allDelivered() {
        return nacked == 0 && returned == 0 && failed == 0 && unconfirmed == 0
                && (results == null || results.missing() == 0);
    }

    /** The human-readable summary. */
    void print(PrintWriter out) {
        out.printf(Locale.ROOT, "load: %d task(s) to '%s' in %.2f s, %d publisher(s), window %d%s%n", sent, queue,
                seconds, publishers, window,
                targetRate == null ? "" : String.format(Locale.ROOT, ", target rate %s/s", number(targetRate)));
        out.printf("  types          %s%n", sentByType.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        if (deadLetterTasks > 0) {
            out.printf("  fail-ratio     %d task(s) sent to fail every attempt (expected dead-lettered)%n", deadLetterTasks);
        }
        out.printf("  sent           %d%n", sent);
        out.printf("  confirmed      %d%n", confirmed);
        out.printf("  nacked         %d%n", nacked);
        out.printf("  returned       %d%s%n", returned,
                returned > 0 ? "   (unroutable: does queue '" + queue + "' exist? start a worker for it first)" : "");
        if (failed > 0) {
            out.printf("  failed         %d   (connection or channel closed before the confirm)%n", failed);
        }
        if (unconfirmed > 0) {
            out.printf("  unconfirmed    %d   (no answer from the broker within the timeout)%n", unconfirmed);
        }
        out.printf(Locale.ROOT, "  publish rate   %s tasks/s confirmed%n", number(publishRate));
        if (maxLagSeconds != null) {
            out.printf(Locale.ROOT, "  schedule lag   %.3f s at most%s%n", maxLagSeconds,
                    maxLagSeconds > 1 ? "   (could not keep up with --rate)" : "");
        }
        out.printf("  confirm latency  %s%n", confirmLatency.text());
        if (results != null) {
            out.printf(Locale.ROOT, "results (waited %.2f s after the last confirm)%n", results.waitedSeconds());
            out.printf("  completed      %d%n", results.completed());
            out.printf("  dead-lettered  %d%s%n", results.deadLettered(),
                    deadLetterTasks > 0 ? "   (" + deadLetterTasks + " sent to fail every attempt)" : "");
            out.printf("  missing        %d%n", results.missing());
            out.printf("  duplicates     %d%n", results.duplicates());
            if (results.unexpected() > 0) {
                out.printf("  unexpected     %d   (results for other tasks, unreadable, or unknown status)%n",
                        results.unexpected());
            }
            out.printf("  end-to-end latency  %s%n", results.endToEnd().text());
        }
        out.flush();
    }

    private static String number(double value) {
        return value >= 100 || value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }
}
