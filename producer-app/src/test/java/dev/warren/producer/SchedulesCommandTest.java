package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.schedule.MisfirePolicy;
import dev.warren.core.schedule.Schedule;
import dev.warren.core.schedule.Scheduler;
import dev.warren.core.schedule.SchedulerModule;
import dev.warren.core.schedule.SchedulerSettings;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code producer-app schedules}: the active scheduler's status as a table or JSON, read without consuming it. */
class SchedulesCommandTest {

    record Report(String kind) {
    }

    static final TaskType<Report, Void> REPORT = TaskType.of("report", Report.class);

    static final class Reports extends TaskModule {
        @Override
        protected void configureTasks() {
            schedule("nightly_report", REPORT, Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")), new Report("daily"));
            schedule("heartbeat", REPORT, Schedule.every(Duration.ofSeconds(1)), new Report("beat"), MisfirePolicy.skip());
        }
    }

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    record Run(int exitCode, String out, String err) {
    }

    @Test
    void aGroupWhereNoSchedulerRanSaysSoWithExitCode2() {
        String group = TestQueues.unique("schedules-none");

        Run run = run("schedules", "--uri", broker.amqpUri(), "--group", group);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no scheduler has run in group '" + group + "'");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void listsTheSchedulesWithTheirLastAndNextFiringAndLeavesTheStatusInPlace() throws Exception {
        String group = TestQueues.unique("schedules-list");
        String target = queues.unique("schedules-reports");
        queues.register(SchedulerSettings.leaseQueue(group));
        queues.register(SchedulerSettings.statusQueue(group));
        try (Connection connection = broker.connect("warren-test-schedules"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(target, true, false, false, null);
        }
        Injector injector = Guice.createInjector(
                new CoreModule(AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-schedules-replica"),
                        RouteTable.allTo(target)),
                new SchedulerModule(SchedulerSettings.of(group, "replica-1")), new Reports());
        try (AmqpConnections ignored = injector.getInstance(AmqpConnections.class);
             Scheduler scheduler = injector.getInstance(Scheduler.class)) {
            scheduler.start();
            await("a status with a fired heartbeat").atMost(Duration.ofSeconds(30)).until(() -> {
                Run json = run("schedules", "--uri", broker.amqpUri(), "--group", group, "--json");
                return json.exitCode() == 0 && json.out().contains("\"last_fired_at\" : \"");
            });
        }

        Run table = run("schedules", "--uri", broker.amqpUri(), "--group", group);
        Run again = run("schedules", "--uri", broker.amqpUri(), "--group", group, "--json");

        assertThat(table.exitCode()).as("stderr: %s", table.err()).isZero();
        assertThat(table.out()).contains("group '" + group + "': active replica replica-1 since ");
        assertThat(table.out().lines().toList().get(1)).startsWith("NAME").contains("LAST FIRED").contains("NEXT DUE");
        assertThat(table.out()).containsPattern("heartbeat +report +" + target + " +every 1s +skip +20")
                .containsPattern("nightly_report +report +" + target + " +cron \"0 3 \\* \\* \\*\" Europe/Berlin +fire-once");
        assertThat(again.exitCode()).as("the status is still there for a second read").isZero();
        JsonNode status = CoreModule.newObjectMapper().readTree(again.out());
        assertThat(status.path("active_replica").asText()).isEqualTo("replica-1");
        JsonNode heartbeat = status.path("schedules").get(0);
        assertThat(heartbeat.path("name").asText()).isEqualTo("heartbeat");
        assertThat(Instant.parse(heartbeat.path("next_due").asText()))
                .isEqualTo(Instant.parse(heartbeat.path("last_due").asText()).plusSeconds(1));
    }

    private static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        CommandLine cli = ExitCodes.commandLine(new ProducerApp());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
