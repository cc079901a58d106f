package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.config.Durations;
import dev.warren.events.Event;
import dev.warren.events.EventCodec;
import dev.warren.events.TaskTimeline;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/tasks/{message id}?since=24h}: one task's timeline from the task-event stream
 * (published, each attempt with its worker and outcome, retries with their delays,
 * dead-lettered, replayed, and its result), found by reading the stream from {@code since} ago
 * as the signed-in user, for at most {@link #BUDGET}.
 *
 * <p>Permission rule: read on the events stream; without it, 403.
 */
final class TaskLookupApi {

    static final Duration DEFAULT_SINCE = Duration.ofDays(1);
    static final Duration MIN_SINCE = Duration.ofMinutes(1);
    static final Duration MAX_SINCE = Duration.ofDays(31);
    /** The longest one lookup reads; an older start is then reported incomplete. */
    static final Duration BUDGET = Duration.ofSeconds(20);
    static final int MAX_ID_LENGTH = 255;
    private static final String PREFIX = "/api/tasks/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String stream;
    private final Clock clock;

    TaskLookupApi(String stream, Clock clock) {
        this.stream = stream;
        this.clock = clock;
    }

    void addTo(Routes routes) {
        routes.add("GET", PREFIX + "*", Routes.Access.API, this::lookup);
    }

    private Reply lookup(ConsoleRequest request) throws IOException, InterruptedException {
        String id = request.path().substring(PREFIX.length());
        if (id.isBlank() || id.length() > MAX_ID_LENGTH || id.contains("/")) {
            throw new IllegalArgumentException("the message id must be 1 to " + MAX_ID_LENGTH
                    + " characters without '/', was '" + id + "'");
        }
        Duration since = EventWindow.param(request, "since", DEFAULT_SINCE, MIN_SINCE, MAX_SINCE);
        UserBroker broker = request.session().broker();
        Instant from = clock.instant().minus(since);
        List<Event> found = new ArrayList<>();
        long started = System.nanoTime();
        EventScan.Result read = new EventScan(clock).read(broker.taskEvents(stream), stream, broker.user(), from, BUDGET,
                event -> {
                    if (id.equals(event.messageId())) {
                        found.add(event);
                    }
                });
        // Producers and workers write independently: the timeline is ordered by the events' own time.
        found.sort(Comparator.comparing(Event::at));
        List<JsonNode> events = new ArrayList<>();
        for (Event event : found) {
            events.add(JSON.readTree(EventCodec.encode(event)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("task_type", found.isEmpty() ? null : found.get(0).taskType());
        body.put("queue", found.isEmpty() ? null : found.get(0).queue());
        body.put("result", found.isEmpty() ? null : TaskTimeline.result(found));
        body.put("events", events);
        body.put("timeline", TaskTimeline.of(id, found));
        body.put("stream", stream);
        body.put("since", Durations.format(since));
        body.put("scanned", read.scanned());
        body.put("complete", read.complete());
        body.put("read_ms", (System.nanoTime() - started) / 1_000_000);
        return Reply.json(body);
    }
}
