package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.schedule.Schedule;
import dev.warren.core.schedule.SchedulerSettings;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code worker-app} command line, run in-process through picocli: help, setting validation
 * and the exit codes the README lists (2 bad settings, 3 broker unreachable, 4 queue exists
 * with other arguments), and no password in anything it prints or logs.
 */
class WorkerCommandTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @Test
    void helpExitsZeroAndShowsEveryOptionWithItsEnvironmentVariable() throws Exception {
        WorkerRun run = run("--help");

        assertThat(run.exitCode()).isZero();
        CommandLine.Model.CommandSpec spec = new CommandLine(new WorkerCommand()).getCommandSpec();
        for (OptionSpec option : spec.options()) {
            String shown = option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
            assertThat(run.out()).as("help mentions %s", option.longestName()).contains(shown);
            if (!option.usageHelp() && !option.versionHelp()) {
                assertThat(String.join(" ", option.description()))
                        .as("description of %s names its environment variable", option.longestName())
                        .contains("env WARREN_");
            }
        }
        assertThat(run.out()).contains("WARREN_AMQP_URI", "WARREN_AMQP_ADDRESSES", "WARREN_AMQP_VHOST",
                "WARREN_AMQP_USERNAME", "WARREN_AMQP_PASSWORD", "WARREN_AMQP_PASSWORD_FILE", "WARREN_AMQP_TLS",
                "WARREN_AMQP_HEARTBEAT", "WARREN_STARTUP_TIMEOUT", "WARREN_QUEUE", "WARREN_CONCURRENCY",
                "WARREN_PREFETCH", "WARREN_SHUTDOWN_TIMEOUT", "WARREN_BROKER_CONSUMER_TIMEOUT", "WARREN_WORKER_NAME",
                "WARREN_DEMO_EMAIL_DELAY", "WARREN_TASKS", "WARREN_DEMO", "WARREN_SCHEDULER", "WARREN_SCHEDULER_GROUP",
                "WARREN_SCHEDULER_HEARTBEAT");
        assertThat(run.out()).contains("send_welcome_email", "Exit codes");
    }

    @Test
    void concurrencyZeroExitsTwoNamingTheSettingAndValue() throws Exception {
        WorkerRun run = run("--uri", RabbitBroker.shared().amqpUri(), "--queue", queues.unique("bad-settings"),
                "--concurrency", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("concurrency must be between 1 and 1000, was 0");
        assertThat(run.err()).doesNotContain("\tat "); // one clear line, not a stack trace
    }

    @Test
    void aQueueThatExistsWithOtherArgumentsExitsFourNamingTheQueueAndTheFix() throws Exception {
        String queue = queues.unique("drifted");
        try (Connection connection = RabbitBroker.shared().connect("warren-test-drift");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-max-length", 5));
        }

        WorkerRun run = run("--demo", "--uri", RabbitBroker.shared().amqpUri(), "--queue", queue, "--startup-timeout", "5s");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.TOPOLOGY_MISMATCH);
        assertThat(run.err()).contains("'" + queue + "'").contains("delete").contains("x-max-length");
        assertThat(run.err()).doesNotContain("\tat ");
        try (Connection connection = RabbitBroker.shared().connect("warren-test-drift");
             Channel channel = connection.createChannel()) {
            assertThat(channel.queueDeclarePassive(queue).getConsumerCount()).as("nobody consumes").isZero();
        }
    }

    @Test
    void anUnreachableBrokerExitsThreeWithAClearMessage() throws Exception {
        int port = freePort();

        WorkerRun run = run("--demo", "--uri", "amqp://guest:guest@127.0.0.1:" + port + "/", "--queue", "unreachable",
                "--startup-timeout", "2s");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err())
                .contains("cannot connect to [127.0.0.1:" + port + "]")
                .contains("no broker answered within 2s")
                .doesNotContain("\tat ");
    }

    @Test
    void aPasswordInTheUriNeverAppearsWhenTheBrokerIsUnreachable() throws Exception {
        String password = "s3cret-Pw-" + System.nanoTime();

        WorkerRun run = run("--demo", "--uri", "amqp://guest:" + password + "@127.0.0.1:" + freePort() + "/%2F",
                "--queue", "unreachable", "--startup-timeout", "1s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.log()).as("the worker logged something to check").contains("starting against");
        assertThat(run.everything()).doesNotContain(password);
    }

    @Test
    void aPasswordInTheUriNeverAppearsWhenTheBrokerRefusesIt() throws Exception {
        RabbitBroker broker = RabbitBroker.shared();
        String password = "wr0ng-Pw-" + System.nanoTime();

        WorkerRun run = run("--demo", "--uri", "amqp://guest:" + password + "@" + broker.host() + ":" + broker.port() + "/%2F",
                "--queue", "refused", "--startup-timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err()).contains("refused user 'guest'");
        assertThat(run.everything()).doesNotContain(password);
    }

    @Test
    void schedulerWithoutAScheduleExitsTwoSayingHowToDeclareOne() throws Exception {
        WorkerRun run = run("--uri", RabbitBroker.shared().amqpUri(), "--queue", queues.unique("no-schedule"), "--demo",
                "--scheduler", "--scheduler-group", TestQueues.unique("no-schedule-group"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--scheduler is set but no task module declares a schedule")
                .contains("schedule(name, type, Schedule.cron(..) or Schedule.every(..), payload)");
        assertThat(run.err()).doesNotContain("\tat ");
    }

    record Beat(String label) {
    }

    static final class Beats extends TaskModule {
        @Override
        protected void configureTasks() {
            schedule("beat", TaskType.of("beat", Beat.class), Schedule.every(Duration.ofSeconds(1)), new Beat("refused"));
        }
    }

    @Test
    void schedulerWhoseLeaseQueueExistsWithOtherArgumentsExitsFourNamingTheQueueAndTheFix() throws Exception {
        String group = TestQueues.unique("refused-group");
        String lease = queues.register(SchedulerSettings.leaseQueue(group));
        queues.register(SchedulerSettings.statusQueue(group));
        try (Connection connection = RabbitBroker.shared().connect("warren-test-refused-lease");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(lease, true, false, false, null);
        }

        WorkerRun run = WorkerRun.endingWith(List.of(new Beats()), "--demo", "--uri", RabbitBroker.shared().amqpUri(),
                "--queue", queues.unique("refused-lease"), "--scheduler", "--scheduler-group", group);

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.TOPOLOGY_MISMATCH);
        assertThat(run.err()).contains("lease queue '" + lease + "'").contains("PRECONDITION_FAILED")
                .contains("rabbitmqctl delete_queue").contains("--scheduler-group").doesNotContain("\tat ");
    }

    @Test
    void aPasswordInAMalformedUriNeverAppears() throws Exception {
        String password = "s3cret-Pw-" + System.nanoTime();

        // An underscore makes java.net.URI read the authority as registry-based: no host, no user info.
        WorkerRun run = run("--uri", "amqp://guest:" + password + "@rabbit_mq:5672/", "--queue", "malformed");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("AMQP URI");
        assertThat(run.everything()).doesNotContain(password);
    }

    /** Runs the worker command in this JVM; it must end within 20 s (a run that starts consuming is stopped). */
    private static WorkerRun run(String... args) throws Exception {
        return WorkerRun.endingWithin(RUN_TIMEOUT, args);
    }

    private static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
