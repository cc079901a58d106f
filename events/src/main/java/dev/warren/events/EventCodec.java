package dev.warren.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event schema v1 as JSON (docs/events.md): one object per event, {@code "v":1} first, fields
 * without a value left out; a message holds one or more events, one object per line
 * (newline-delimited JSON). Reading ignores fields it does not know (a later v1 may add some) and
 * refuses another major version. Thread-safe.
 */
public final class EventCodec {

    /** Content type of every event message: JSON objects, one per line. */
    public static final String CONTENT_TYPE = "application/x-ndjson";
    /** The {@code type} property of every event message. */
    public static final String MESSAGE_TYPE = "warren.task_events";
    /** Header with the number of events in the message. */
    public static final String COUNT_HEADER = "x-warren-events";

    // No separator between root values: encode(List) ends each object with its own newline.
    private static final JsonFactory JSON = new JsonFactory().setRootValueSeparator(null);
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    /** 10000-01-01T00:00:00Z: from there {@link Instant#toString()} writes a sign and more digits. */
    private static final long LAST_FAST_SECOND = 253_402_300_800L;

    private EventCodec() {
    }

    /** The body of a message of {@code events}: the JSON of each, one per line, each line ending in {@code \n}. */
    public static byte[] encode(List<Event> events) {
        // One generator for the whole message: a generator per event costs more than the event's JSON.
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(JSON._getBufferRecycler(), events.size() * 320);
             JsonGenerator json = JSON.createGenerator(bytes)) {
            for (Event event : events) {
                write(json, event);
                json.writeRaw('\n');
            }
            json.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + events.size() + " events", e);
        }
    }

    /**
     * The events in a message body, one JSON object per line; blank lines are skipped, and so are
     * lines that are not v1 events (counted in {@code skipped}).
     */
    public static List<Event> decodeAll(byte[] body, AtomicLong skipped) {
        List<Event> events = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                if (i > start && !isBlank(body, start, i)) {
                    try {
                        events.add(decode(Arrays.copyOfRange(body, start, i)));
                    } catch (IllegalArgumentException e) {
                        skipped.incrementAndGet();
                    }
                }
                start = i + 1;
            }
        }
        return events;
    }

    private static boolean isBlank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            if (body[i] != ' ' && body[i] != '\r' && body[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The JSON of {@code event}, UTF-8, on one line. */
    public static byte[] encode(Event event) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(JSON._getBufferRecycler(), 384);
             JsonGenerator json = JSON.createGenerator(bytes)) {
            write(json, event);
            json.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write event " + event.event(), e);
        }
    }

    private static void write(JsonGenerator json, Event event) throws IOException {
        json.writeStartObject();
        json.writeNumberField("v", Event.VERSION);
        json.writeStringField("event", event.event());
        string(json, "message_id", event.messageId());
        string(json, "task_type", event.taskType());
        string(json, "queue", event.queue());
        if (event.attempt() != null) {
            json.writeNumberField("attempt", event.attempt());
        }
        string(json, "worker", event.worker());
        json.writeStringField("at", iso(event.at()));
        string(json, "published_at", event.publishedAt() == null ? null : iso(event.publishedAt()));
        number(json, "duration_ms", event.durationMs());
        string(json, "error", event.error());
        string(json, "error_message", event.errorMessage());
        number(json, "retry_delay_ms", event.retryDelayMs());
        string(json, "reason", event.reason());
        json.writeEndObject();
    }

    /**
     * The event in {@code body}.
     *
     * @throws IllegalArgumentException when it is not JSON, has no {@code event} or {@code at}, or
     *                                  its {@code v} is not {@value Event#VERSION}
     */
    public static Event decode(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("event is not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("event is not a JSON object");
        }
        int version = node.path("v").asInt(-1);
        if (version != Event.VERSION) {
            throw new IllegalArgumentException("event schema version " + node.path("v") + " is not "
                    + Event.VERSION);
        }
        String name = text(node, "event");
        String at = text(node, "at");
        if (name == null || at == null) {
            throw new IllegalArgumentException("event has no 'event' or no 'at'");
        }
        try {
            return new Event(name, text(node, "message_id"), text(node, "task_type"), text(node, "queue"),
                    node.hasNonNull("attempt") ? node.get("attempt").asInt() : null, text(node, "worker"),
                    Instant.parse(at), instant(text(node, "published_at")), longValue(node, "duration_ms"),
                    text(node, "error"), text(node, "error_message"), longValue(node, "retry_delay_ms"),
                    text(node, "reason"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("event has a timestamp that is not ISO-8601: " + e.getParsedString());
        }
    }

    /**
     * {@code instant.toString()} for instants at whole milliseconds from 1970 to 9999 (every event's),
     * written directly: {@link Instant#toString()} through its formatter was a tenth of what an
     * event cost the worker. Other instants go through {@code toString()}.
     */
    static String iso(Instant instant) {
        long second = instant.getEpochSecond();
        int nanos = instant.getNano();
        if (second < 0 || second >= LAST_FAST_SECOND || nanos % 1_000_000 != 0) {
            return instant.toString();
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(24);
        digits(text, t.getYear(), 4).append('-');
        digits(text, t.getMonthValue(), 2).append('-');
        digits(text, t.getDayOfMonth(), 2).append('T');
        digits(text, t.getHour(), 2).append(':');
        digits(text, t.getMinute(), 2).append(':');
        digits(text, t.getSecond(), 2);
        if (nanos != 0) {
            digits(text.append('.'), nanos / 1_000_000, 3);
        }
        return text.append('Z').toString();
    }

    private static StringBuilder digits(StringBuilder text, int value, int width) {
        String number = Integer.toString(value);
        for (int i = number.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(number);
    }

    private static void string(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator json, String name, Long value) throws IOException {
        if (value != null) {
            json.writeNumberField(name, value);
        }
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Long longValue(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asLong();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
