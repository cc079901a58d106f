package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.retry.DeadLetter;
import dev.warren.retry.DeadLetterQueue;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters of a work queue ({@code <queue>.dlq}) through retry-dlx's {@link DeadLetterQueue},
 * acting as the signed-in user: {@code GET /api/dead-letters} (a filtered page),
 * {@code GET /api/dead-letters/{id}} (one, in detail) and {@code POST /api/dead-letters/replay}
 * (chosen ones back to the work queue, each copy confirmed before its original is removed).
 *
 * <p>Permission rule: listing needs read on {@code <queue>.dlq}; replay needs that and write on
 * the default exchange ({@code amq.default}), which the console checks before it replays and
 * reports as {@code may_replay} so the page shows replay buttons only to users who may.
 */
final class DeadLettersApi {

    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;
    static final String EXPORT_TYPE = "application/x-ndjson; charset=utf-8";
    private static final Logger log = LoggerFactory.getLogger(DeadLettersApi.class);

    void addTo(Routes routes) {
        routes.add("GET", "/api/dead-letters", Routes.Access.API, this::list)
                .add("GET", "/api/dead-letters/export", Routes.Access.API, this::export)
                .add("POST", "/api/dead-letters/replay", Routes.Access.API, this::replay)
                .add("POST", "/api/dead-letters/move", Routes.Access.API, this::move)
                .add("POST", "/api/dead-letters/purge", Routes.Access.API, this::purge)
                .add("GET", "/api/dead-letters/*", Routes.Access.API, this::show);
    }

    private Reply list(ConsoleRequest request) throws IOException {
        String queue = queue(request);
        int page = number(request, "page", 1, 1, Integer.MAX_VALUE);
        int size = number(request, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        long first = (long) (page - 1) * size;
        DeadLetterFilter filter = DeadLetterFilter.of(request);
        UserBroker broker = request.session().broker();
        List<DeadLetterJson.Row> rows = new ArrayList<>();
        long total;
        if (filter.matchesAll() && first + size <= DeadLetterQueue.MAX_PREFETCH) {
            // No filter: the page is the letters from first on, the total the queue's count. Reads only
            // as many as the page needs, the broker sending no more than that.
            long[] seen = {0};
            total = broker.deadLetters().read(queue, (int) (first + size), letter -> {
                if (seen[0]++ >= first) {
                    rows.add(DeadLetterJson.Row.of(letter));
                }
                return rows.size() < size;
            });
        } else {
            long[] matched = {0};
            DeadLetterScan.each(broker.deadLetters(), queue, letter -> {
                if (filter.test(letter)) {
                    if (matched[0] >= first && rows.size() < size) {
                        rows.add(DeadLetterJson.Row.of(letter));
                    }
                    matched[0]++;
                }
            });
            total = matched[0];
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("queue", queue);
        body.put("total", total);
        body.put("page", page);
        body.put("size", size);
        body.put("may_replay", broker.mayPublishToDefaultExchange());
        body.put("may_purge", broker.mayWriteQueue(DeadLetterOnFailure.deadLetterQueue(queue)));
        body.put("items", rows);
        return Reply.json(body);
    }

    /**
     * Every matching dead letter in full, one JSON object per line, each written as it is read: the
     * reply is streamed, so an export of any size holds one letter at a time. A failure once the
     * {@code 200} is sent (the broker closing the read, say) ends the body with a last line
     * {@code {"error": ...}}; a client that goes away ends the read.
     */
    private Reply export(ConsoleRequest request) throws IOException {
        String queue = queue(request);
        DeadLetterFilter filter = DeadLetterFilter.of(request);
        DeadLetterQueue dlq = request.session().broker().deadLetters();
        // Before the 200 is sent: a dead-letter queue that is missing or that the user may not read
        // is answered with its own status, not a body cut short.
        dlq.size(queue);
        return Reply.streamed(200, EXPORT_TYPE, Map.of("Content-Disposition", "attachment; filename=\""
                + queue.replaceAll("[^A-Za-z0-9._-]", "_") + ".dlq.jsonl\""), out -> export(dlq, queue, filter, out));
    }

    private static void export(DeadLetterQueue dlq, String queue, DeadLetterFilter filter, OutputStream out)
            throws IOException {
        IOException[] clientGone = {null};
        long[] read = {0};
        String stopped;
        try {
            int present = dlq.read(queue, DeadLetterQueue.UNLIMITED, letter -> {
                read[0]++;
                if (filter.test(letter)) {
                    try {
                        out.write(Reply.json(DeadLetterJson.Detail.exported(letter)).body());
                        out.write('\n');
                    } catch (IOException e) {
                        clientGone[0] = e;
                        return false;
                    }
                }
                return true;
            });
            // A read whose channel is lost, or whose letters another reader took, ends quietly when nothing comes.
            stopped = read[0] >= present ? null : "read " + read[0] + " of the " + present + " dead letters, then nothing"
                    + " more came (the broker connection was lost, or another reader holds the rest)";
        } catch (IOException | RuntimeException e) {
            stopped = e.getMessage();
        }
        if (clientGone[0] != null) {
            throw clientGone[0];
        }
        if (stopped != null) {
            log.warn("export of {}.dlq stopped early: {}", queue, stopped);
            out.write(Reply.json(Map.of("error", "the export stopped early: " + stopped)).body());
            out.write('\n');
        }
    }

    private Reply show(ConsoleRequest request) throws IOException {
        String queue = queue(request);
        String id = request.lastSegment();
        List<DeadLetter> found = request.session().broker().deadLetters().list(queue,
                letter -> id.equals(letter.messageId()), 1);
        if (found.isEmpty()) {
            throw new NoSuchElementException("no dead letter with id " + id + " in " + queue + ".dlq");
        }
        return Reply.json(DeadLetterJson.Detail.of(found.get(0)));
    }

    private Reply replay(ConsoleRequest request) throws IOException {
        JsonNode body = request.json();
        String queue = required(body, "queue", "the work queue whose dead letters to replay");
        UserBroker broker = request.session().broker();
        requireMayReplay(broker);
        return moveTo(broker, queue, ids(body), queue);
    }

    /** Like replay, to another existing queue ({@code to}), e.g. a parking queue or another work queue. */
    private Reply move(ConsoleRequest request) throws IOException {
        JsonNode body = request.json();
        String queue = required(body, "queue", "the work queue whose dead letters to move");
        String to = required(body, "to", "the queue to move them to");
        UserBroker broker = request.session().broker();
        requireMayReplay(broker);
        if (!broker.queueExists(to)) {
            throw new IllegalArgumentException("to: there is no queue '" + to + "' in vhost '" + broker.vhost() + "'");
        }
        return moveTo(broker, queue, ids(body), to);
    }

    /** Replays the dead letters {@code ids} of {@code queue} to {@code target}, each copy confirmed before its original is removed. */
    private static Reply moveTo(UserBroker broker, String queue, Set<String> ids, String target) throws IOException {
        ReplayEvents.Run events = broker.replayEvents().run(target, DeadLetterOnFailure.deadLetterQueue(queue));
        int moved = broker.deadLetters().replay(queue, events.noting(letter -> ids.contains(letter.messageId())),
                target, events::replayed);
        return Reply.json(Map.of("queue", queue, "to", target, "requested", ids.size(), "replayed", moved));
    }

    private static String required(JsonNode body, String name, String what) {
        String value = body.path(name).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is required: " + what);
        }
        return value;
    }

    private static Set<String> ids(JsonNode body) {
        Set<String> ids = new HashSet<>();
        body.path("ids").forEach(id -> ids.add(id.asText()));
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("ids is required: the message ids, at least one");
        }
        return ids;
    }

    /**
     * Removes dead letters for good: {@code ids} from the body, else every letter the filter
     * parameters match. The body's {@code confirm} must be the dead-letter queue's name.
     */
    private Reply purge(ConsoleRequest request) throws IOException {
        String queue = queue(request);
        String dlq = DeadLetterOnFailure.deadLetterQueue(queue);
        JsonNode body = request.json();
        if (!dlq.equals(body.path("confirm").asText())) {
            throw new IllegalArgumentException("confirm must be the dead-letter queue's name, '" + dlq
                    + "': purged messages are gone for good");
        }
        UserBroker broker = request.session().broker();
        if (!broker.mayWriteQueue(dlq)) {
            throw new AccessRefusedException("user '" + broker.user() + "' may not purge: the console requires write"
                    + " permission on '" + dlq + "' (and read on amq.direct, to check it)");
        }
        Predicate<DeadLetter> chosen;
        if (body.has("ids")) {
            Set<String> ids = ids(body);
            chosen = letter -> ids.contains(letter.messageId());
        } else {
            chosen = DeadLetterFilter.of(request);
        }
        int purged = broker.deadLetters().discard(queue, chosen);
        return Reply.json(Map.of("queue", queue, "purged", purged));
    }

    /** The permission rule of replay, checked as the user now: 403 unless it may write to amq.default. */
    static void requireMayReplay(UserBroker broker) throws IOException {
        if (!broker.mayPublishToDefaultExchange()) {
            throw new AccessRefusedException("user '" + broker.user() + "' may not replay: replay needs write"
                    + " permission on the default exchange (amq.default)");
        }
    }

    private static String queue(ConsoleRequest request) {
        return request.param("queue").orElseThrow(() -> new IllegalArgumentException(
                "queue is required: the work queue whose dead letters to read, e.g. ?queue=task_queue"));
    }

    static int number(ConsoleRequest request, String name, int fallback, int min, int max) {
        String text = request.param(name).orElse(null);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", was '"
                + text + "'");
    }
}
