package dev.warren.events;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Events as lines a person reads: one per event, and the timeline of one task (published, each
 * attempt with its worker and outcome, retries with their delays, dead-lettered, replayed) ending
 * in a result line.
 */
public final class TaskTimeline {

    private TaskTimeline() {
    }

    /** One event on one line, with its task: {@code <at>  <event>  <message id>  <task type>  <details>}. */
    public static String line(Event event) {
        return String.format("%s  %-13s  %-36s  %-20s  %s", event.at(), event.event(), orDash(event.messageId()),
                orDash(event.taskType()), details(event)).stripTrailing();
    }

    /**
     * The timeline of the events of one task, oldest first by their {@code at} (producers and
     * workers write to the stream independently, so stream order may differ), then its result.
     */
    public static List<String> of(String messageId, List<Event> stored) {
        List<Event> events = new ArrayList<>(stored);
        events.sort(Comparator.comparing(Event::at));
        List<String> lines = new ArrayList<>();
        if (events.isEmpty()) {
            lines.add("task " + messageId + ": no events (not published with --events, not run by a worker with"
                    + " --events, or older than the stream keeps)");
            return lines;
        }
        Event first = events.get(0);
        lines.add("task " + messageId + " (" + orDash(first.taskType()) + ", queue " + orDash(first.queue()) + ")");
        for (Event event : events) {
            lines.add(String.format("  %s  %-13s  %s", event.at(), event.event(), details(event)).stripTrailing());
        }
        lines.add("result: " + result(events));
        return lines;
    }

    /** What became of the task, by its last telling event of {@code events} (at least one, oldest first). */
    public static String result(List<Event> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            Event e = events.get(i);
            switch (e.event()) {
                case "succeeded":
                    return "succeeded on attempt " + e.attempt() + " by " + e.worker() + " in " + e.durationMs() + " ms";
                case "dead_lettered":
                    return "dead-lettered after attempt " + e.attempt() + " (" + e.reason() + ")";
                case Event.REPLAYED:
                    return "replayed from the dead-letter queue; not run since";
                case "retried":
                    return "waiting for attempt " + (e.attempt() + 1) + " (retry in " + e.retryDelayMs() + " ms)";
                case "put_back":
                    return "put back on its queue unstarted by " + e.worker() + "; waiting";
                default:
                    break;
            }
        }
        return "in progress (last event: " + events.get(events.size() - 1).event() + ")";
    }

    private static String details(Event e) {
        StringBuilder text = new StringBuilder();
        if (e.attempt() != null && !Event.PUBLISHED.equals(e.event())) {
            text.append("attempt ").append(e.attempt()).append("  ");
        }
        text.append(Event.PUBLISHED.equals(e.event()) || Event.REPLAYED.equals(e.event()) ? "by " : "on ")
                .append(orDash(e.worker()));
        if (e.durationMs() != null) {
            text.append("  after ").append(e.durationMs()).append(" ms");
        }
        if (e.error() != null && "failed".equals(e.event())) {
            String simple = e.error().substring(e.error().lastIndexOf('.') + 1);
            text.append("  ").append(simple).append(e.errorMessage() == null ? "" : ": " + e.errorMessage());
        }
        if (e.retryDelayMs() != null) {
            text.append("  next attempt in ").append(e.retryDelayMs()).append(" ms");
        }
        if (e.reason() != null) {
            text.append("  (").append(e.reason()).append(')');
        }
        return text.toString();
    }

    private static String orDash(String text) {
        return text == null ? "-" : text;
    }
}
