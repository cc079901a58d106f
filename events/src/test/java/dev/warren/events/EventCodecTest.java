package dev.warren.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.spi.TaskEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Schema v1 on the wire, and the events settings' validation. */
class EventCodecTest {

    private static final Instant AT = Instant.parse("2026-12-02T01:02:03.456Z");

    @Test
    void aRetriedEventIsWrittenAsDocumentedAndReadBackEqual() {
        TaskEvent retried = TaskEvent.of(TaskEvent.Kind.RETRIED, "id-1", "resize", "task_queue", 2,
                Instant.parse("2026-12-02T01:02:00Z"), AT).next(TaskEvent.Kind.RETRIED, AT, Duration.ofMillis(12))
                .withError(new IllegalStateException("no\nluck"))
                .withOutcome(dev.warren.core.spi.FailureOutcome.retried(Duration.ofSeconds(10)));
        Event event = Event.of(retried, "w1");

        String json = new String(EventCodec.encode(event), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"v\":1,\"event\":\"retried\",\"message_id\":\"id-1\",\"task_type\":\"resize\","
                + "\"queue\":\"task_queue\",\"attempt\":2,\"worker\":\"w1\",\"at\":\"2026-12-02T01:02:03.456Z\","
                + "\"published_at\":\"2026-12-02T01:02:00Z\",\"duration_ms\":12,"
                + "\"error\":\"java.lang.IllegalStateException\",\"error_message\":\"no?luck\",\"retry_delay_ms\":10000}");
        assertThat(EventCodec.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(event);
    }

    @Test
    void aMessageCarriesEventsOneJsonLineEachAndAReaderSkipsLinesItCannotRead() {
        Event started = new Event("started", "a", "t", "q", 1, "w", AT, null, null, null, null, null, null);
        Event succeeded = new Event("succeeded", "a", "t", "q", 1, "w", AT, null, 3L, null, null, null, null);
        byte[] body = EventCodec.encode(List.of(started, succeeded));
        assertThat(new String(body, StandardCharsets.UTF_8)).hasLineCount(2).endsWith("}\n");

        String withJunk = new String(body, StandardCharsets.UTF_8) + "{\"v\":2,\"event\":\"x\",\"at\":\"" + AT + "\"}\n\n";
        AtomicLong skipped = new AtomicLong();
        assertThat(EventCodec.decodeAll(withJunk.getBytes(StandardCharsets.UTF_8), skipped))
                .containsExactly(started, succeeded);
        assertThat(skipped).hasValue(1);
    }

    @Test
    void timestampsAreWrittenExactlyAsInstantToStringWritesThem() {
        java.util.Random random = new java.util.Random(42);
        List<Instant> instants = new java.util.ArrayList<>(List.of(Instant.EPOCH, AT, Instant.parse("2026-12-02T01:02:03Z"),
                Instant.parse("2026-12-02T01:02:03.400Z"), Instant.parse("9999-12-31T23:59:59.999Z"),
                Instant.ofEpochSecond(253_402_300_800L), Instant.parse("1969-12-31T23:59:59.999Z"),
                Instant.parse("2026-12-02T01:02:03.000000001Z")));
        for (int i = 0; i < 10_000; i++) {
            instants.add(Instant.ofEpochMilli(random.nextLong(253_402_300_800_000L)));
        }
        assertThat(instants).allSatisfy(t -> assertThat(EventCodec.iso(t)).isEqualTo(t.toString()));
    }

    @Test
    void unknownFieldsAreIgnoredAndAnotherVersionIsRefused() {
        byte[] newer = "{\"v\":1,\"event\":\"started\",\"at\":\"2026-12-02T01:02:03Z\",\"host\":\"x\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(EventCodec.decode(newer).event()).isEqualTo("started");
        assertThatThrownBy(() -> EventCodec.decode("{\"v\":2,\"event\":\"started\",\"at\":\"2026-12-02T01:02:03Z\"}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("version 2 is not 1");
        assertThatThrownBy(() -> EventCodec.decode("nope".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not JSON");
    }

    @Test
    void retentionIsDeclaredInTheBrokersSyntaxAndBadSettingsAreNamed() {
        assertThat(EventStream.arguments(EventsSettings.defaults())).containsEntry("x-queue-type", "stream")
                .containsEntry("x-max-age", "7D").containsEntry("x-max-length-bytes", 1_000_000_000L)
                .containsEntry("x-stream-max-segment-size-bytes", 100_000_000L);
        assertThat(EventStream.maxAge(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(EventStream.maxAge(Duration.ofHours(12))).isEqualTo("12h");
        assertThatThrownBy(() -> new EventsSettings("warren.events", Duration.ofMillis(1500), 1_000_000_000L, 10))
                .isInstanceOf(InvalidSettingException.class).hasMessage("events max age (--events-max-age) must be"
                        + " whole seconds, at least 1s, was 1500ms");
        assertThatThrownBy(() -> new EventsSettings("warren.events", Duration.ofDays(1), 10, 10))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("events max bytes (--events-max-bytes) must be >= 1000000, was 10");
    }
}
