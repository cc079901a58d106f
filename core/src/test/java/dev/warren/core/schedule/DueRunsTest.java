package dev.warren.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.task.TaskType;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Due instants and misfire policies: pure arithmetic on instants, no broker, no clock. */
class DueRunsTest {

    record Report(String kind) {
    }

    static final TaskType<Report, Void> REPORT = TaskType.of("report", Report.class);
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static ScheduledTask every(Duration interval, MisfirePolicy policy) {
        return ScheduledTask.of("tick", REPORT, Schedule.every(interval), new Report("x")).withMisfire(policy);
    }

    private static Instant at(String text) {
        return Instant.parse(text);
    }

    @Test
    void intervalsAreAlignedToTheEpochWhateverTheStart() {
        Schedule quarter = Schedule.every(Duration.ofMinutes(15));
        assertThat(quarter.nextAfter(at("2026-03-01T10:07:31.123Z"))).isEqualTo(at("2026-03-01T10:15:00Z"));
        assertThat(quarter.nextAfter(at("2026-03-01T10:15:00Z"))).isEqualTo(at("2026-03-01T10:30:00Z"));
        assertThat(Schedule.every(Duration.ofSeconds(1)).nextAfter(at("2026-03-01T10:00:00.999999Z")))
                .isEqualTo(at("2026-03-01T10:00:01Z"));
    }

    @Test
    void cronIsReadInItsTimeZoneAcrossDaylightSavingTime() {
        Schedule nightly = Schedule.cron("0 3 * * *", BERLIN);
        // Winter: 03:00 in Berlin is 02:00 UTC; summer (after 29 March 2026): 01:00 UTC.
        assertThat(nightly.nextAfter(at("2026-03-01T12:00:00Z"))).isEqualTo(at("2026-03-02T02:00:00Z"));
        assertThat(nightly.nextAfter(at("2026-04-01T12:00:00Z"))).isEqualTo(at("2026-04-02T01:00:00Z"));
        assertThat(nightly.describe()).isEqualTo("cron \"0 3 * * *\" Europe/Berlin");
    }

    @Test
    void cronStepsListsAndNamesWork() {
        Schedule weekdays = Schedule.cron("*/30 9-10 * * MON-FRI", ZoneId.of("UTC"));
        // 2026-03-06 is a Friday: 10:30 then Monday 09:00.
        assertThat(weekdays.nextAfter(at("2026-03-06T10:00:00Z"))).isEqualTo(at("2026-03-06T10:30:00Z"));
        assertThat(weekdays.nextAfter(at("2026-03-06T10:30:00Z"))).isEqualTo(at("2026-03-09T09:00:00Z"));
    }

    @Test
    void anInvalidCronExpressionIsReportedWithItsText() {
        assertThatThrownBy(() -> Schedule.cron("0 3 * *", BERLIN).check())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'0 3 * *'");
        assertThatThrownBy(() -> Schedule.cron("61 * * * *", BERLIN).check())
                .hasMessageContaining("'61 * * * *'");
    }

    @Test
    void intervalsShorterThanASecondAreRefused() {
        assertThatThrownBy(() -> Schedule.every(Duration.ofMillis(500)))
                .hasMessage("schedule interval must be at least 1s, was PT0.5S");
    }

    @Test
    void onTimeRunsFireWhateverThePolicy() {
        Instant last = at("2026-03-01T10:00:00Z");
        Instant now = at("2026-03-01T10:00:04.500Z");
        for (MisfirePolicy policy : List.of(MisfirePolicy.skip(), MisfirePolicy.fireOnce(), MisfirePolicy.fireAll(2))) {
            DueRuns runs = DueRuns.of(every(Duration.ofSeconds(1), policy), last, now);
            assertThat(runs.fire()).as(policy.describe()).containsExactly(at("2026-03-01T10:00:01Z"),
                    at("2026-03-01T10:00:02Z"), at("2026-03-01T10:00:03Z"), at("2026-03-01T10:00:04Z"));
            assertThat(runs.lastDue()).isEqualTo(at("2026-03-01T10:00:04Z"));
            assertThat(runs.missed()).isZero();
        }
    }

    @Test
    void nothingIsDueBeforeTheNextInstant() {
        DueRuns runs = DueRuns.of(every(Duration.ofMinutes(1), MisfirePolicy.fireOnce()), at("2026-03-01T10:00:00Z"),
                at("2026-03-01T10:00:59.999Z"));
        assertThat(runs.fire()).isEmpty();
        assertThat(runs.lastDue()).isEqualTo(at("2026-03-01T10:00:00Z"));
    }

    @Test
    void fireOnceFiresTheLatestMissedRunOnly() {
        // Down from 10:00 to 10:10: runs at 10:01..10:10; 10:10 is on time, 10:01..10:09 are missed.
        DueRuns runs = DueRuns.of(every(Duration.ofMinutes(1), MisfirePolicy.fireOnce()), at("2026-03-01T10:00:00Z"),
                at("2026-03-01T10:10:02Z"));
        assertThat(runs.fire()).containsExactly(at("2026-03-01T10:09:00Z"), at("2026-03-01T10:10:00Z"));
        assertThat(runs.missed()).isEqualTo(9);
        assertThat(runs.skipped()).isEqualTo(8);
        assertThat(runs.lastDue()).isEqualTo(at("2026-03-01T10:10:00Z"));
    }

    @Test
    void skipFiresNoMissedRun() {
        DueRuns runs = DueRuns.of(every(Duration.ofMinutes(1), MisfirePolicy.skip()), at("2026-03-01T10:00:00Z"),
                at("2026-03-01T10:09:30Z"));
        assertThat(runs.fire()).isEmpty();
        assertThat(runs.skipped()).isEqualTo(9);
        assertThat(runs.lastDue()).isEqualTo(at("2026-03-01T10:09:00Z"));
    }

    @Test
    void fireAllFiresTheLatestMissedRunsUpToItsLimit() {
        DueRuns runs = DueRuns.of(every(Duration.ofMinutes(1), MisfirePolicy.fireAll(3)), at("2026-03-01T10:00:00Z"),
                at("2026-03-01T10:09:30Z"));
        assertThat(runs.fire()).containsExactly(at("2026-03-01T10:07:00Z"), at("2026-03-01T10:08:00Z"),
                at("2026-03-01T10:09:00Z"));
        assertThat(runs.skipped()).isEqualTo(6);
        DueRuns all = DueRuns.of(every(Duration.ofMinutes(1), MisfirePolicy.fireAll(100)), at("2026-03-01T10:00:00Z"),
                at("2026-03-01T10:09:30Z"));
        assertThat(all.fire()).hasSize(9).startsWith(at("2026-03-01T10:01:00Z"));
        assertThat(all.skipped()).isZero();
    }

    @Test
    void aFiringsMessageIdIsTheScheduleNameAndTheDueInstant() {
        assertThat(every(Duration.ofSeconds(1), MisfirePolicy.fireOnce()).messageId(at("2026-03-01T02:00:00Z")))
                .isEqualTo("tick@2026-03-01T02:00:00Z");
    }

    @Test
    void misfirePoliciesAreValidated() {
        assertThatThrownBy(() -> MisfirePolicy.fireAll(0)).hasMessage("misfire fireAll limit must be >= 1, was 0");
    }
}
