package dev.warren.console;

import dev.warren.core.config.Durations;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/types?window=15m}: per task type and queue, what the task-event stream says
 * happened in the window (counts, rates, run time percentiles, the latest error), computed by
 * reading the window's events from the stream as the signed-in user on each request
 * ({@link EventScan}), so a restarted console, or a second one, shows the same.
 *
 * <p>Permission rule: read on the events stream; without it, 403.
 */
final class TaskTypesApi {

    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    static final Duration MIN_WINDOW = Duration.ofMinutes(1);
    static final Duration MAX_WINDOW = Duration.ofDays(1);
    /** The longest one request reads; a larger window is then reported incomplete. */
    static final Duration BUDGET = Duration.ofSeconds(20);

    private final String stream;
    private final Clock clock;

    TaskTypesApi(String stream, Clock clock) {
        this.stream = stream;
        this.clock = clock;
    }

    void addTo(Routes routes) {
        routes.add("GET", "/api/types", Routes.Access.API, this::types);
    }

    private Reply types(ConsoleRequest request) throws IOException, InterruptedException {
        Duration window = EventWindow.param(request, "window", DEFAULT_WINDOW, MIN_WINDOW, MAX_WINDOW);
        UserBroker broker = request.session().broker();
        Instant from = clock.instant().minus(window);
        TaskTypeStats stats = new TaskTypeStats();
        long started = System.nanoTime();
        EventScan.Result read = new EventScan(clock).read(broker.taskEvents(stream), stream, broker.user(), from, BUDGET,
                stats::add);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", stream);
        body.put("window", Durations.format(window));
        body.put("from", from.toString());
        body.put("events", read.scanned());
        body.put("complete", read.complete());
        body.put("read_ms", (System.nanoTime() - started) / 1_000_000);
        body.put("types", stats.rows(window));
        return Reply.json(body);
    }
}
