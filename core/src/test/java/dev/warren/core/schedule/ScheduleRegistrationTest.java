package dev.warren.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Schedules registered in task modules: one map keyed by name, validated when the injector is created. */
class ScheduleRegistrationTest {

    record Report(String kind) {
    }

    static final TaskType<Report, Void> REPORT = TaskType.of("report", Report.class);
    private static final Key<Map<String, ScheduledTask>> SCHEDULES = Key.get(new TypeLiteral<>() { });

    static final class Reports extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask(REPORT, (report, context) -> null);
            schedule("nightly_report", REPORT, Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")), new Report("daily"));
            schedule("quarterly", REPORT, Schedule.every(Duration.ofMinutes(15)), new Report("q"), MisfirePolicy.skip());
        }
    }

    static final class MoreReports extends TaskModule {
        @Override
        protected void configureTasks() {
            schedule("nightly_report", REPORT, Schedule.every(Duration.ofHours(1)), new Report("hourly"));
        }
    }

    static final class BadCron extends TaskModule {
        @Override
        protected void configureTasks() {
            schedule("broken", REPORT, Schedule.cron("0 3 * *", ZoneId.of("UTC")), new Report("x"));
        }
    }

    @Test
    void schedulesFromAllModulesEndUpInOneMapByName() {
        Map<String, ScheduledTask> schedules = Guice.createInjector(new Reports()).getInstance(SCHEDULES);
        assertThat(schedules).containsOnlyKeys("nightly_report", "quarterly");
        assertThat(schedules.get("quarterly").misfire()).isEqualTo(MisfirePolicy.skip());
        assertThat(schedules.get("nightly_report").misfire()).isEqualTo(MisfirePolicy.fireOnce());
        assertThat(schedules.get("nightly_report").payload()).isEqualTo(new Report("daily"));
    }

    @Test
    void aScheduleNameRegisteredTwiceFailsAtInjectorCreation() {
        assertThatThrownBy(() -> Guice.createInjector(new Reports(), new MoreReports()).getInstance(SCHEDULES))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("nightly_report");
    }

    @Test
    void aBadCronExpressionFailsNamingTheScheduleAndTheText() {
        assertThatThrownBy(() -> Guice.createInjector(new BadCron()))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("schedule 'broken': cron expression '0 3 * *' is invalid");
    }

    @Test
    void aScheduleNameThatCannotBeAMessageIdIsRefused() {
        assertThatThrownBy(() -> ScheduledTask.of("two words", REPORT, Schedule.every(Duration.ofMinutes(1)),
                new Report("x"))).hasMessageContaining("schedule name must be letters, digits and _ . : -");
    }
}
