package dev.warren.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.google.inject.Guice;
import com.google.inject.util.Modules;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.schedule.SchedulerElectionTest.Ticks;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A scheduler deployed before its workers: the firings' work queue does not exist, so each publish
 * comes back unroutable. The scheduler's clock stands still between the test's steps while it
 * ticks every 250 ms: a failed firing is published again only after its backoff (1 s, then 2 s,
 * by the scheduler's clock), not every tick; the streak is logged once at WARN and its end at INFO,
 * and the runs then arrive under their own ids.
 */
class SchedulerBackoffTest {

    /** A clock that stands still until the test moves it. */
    static final class StepClock extends Clock {
        private final AtomicReference<Instant> now;

        StepClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(instant -> instant.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aFiringToAMissingQueueIsRetriedWithBackoffLoggedOnceAndArrivesUnderItsIdOnceTheQueueExists() throws Exception {
        String group = TestQueues.unique("backoff");
        queues.register(SchedulerSettings.leaseQueue(group));
        queues.register(SchedulerSettings.statusQueue(group));
        String target = queues.unique("backoff-ticks");     // not declared yet: the workers are not deployed
        // Half a second past a whole one, so every step of a second crosses exactly one due instant.
        StepClock clock = new StepClock(Instant.ofEpochSecond(Instant.now().getEpochSecond() - 30).plusMillis(500));
        Logger schedulerLog = (Logger) LoggerFactory.getLogger(Scheduler.class);
        Level level = schedulerLog.getLevel();
        schedulerLog.setLevel(Level.DEBUG);     // a DEBUG line per firing published: the test counts them
        var injector = Guice.createInjector(
                Modules.override(new CoreModule(AmqpSettings.of(broker.amqpUri())
                        .withConnectionName("warren-test-scheduler-backoff"), RouteTable.allTo(target)))
                        .with(binder -> binder.bind(Clock.class).toInstance(clock)),
                new SchedulerModule(SchedulerSettings.of(group, "a")), new Ticks());
        try (LogCapture logs = LogCapture.of(Scheduler.class.getName());
             AmqpConnections connections = injector.getInstance(AmqpConnections.class);
             Scheduler scheduler = injector.getInstance(Scheduler.class)) {
            scheduler.start();
            await("active").atMost(Duration.ofSeconds(20)).until(scheduler::isActive);
            await("the schedule started").atMost(Duration.ofSeconds(20))
                    .until(() -> logs.text().contains("schedule 'tick' (every 1s) starts now"));

            clock.advance(Duration.ofSeconds(1));
            await("the first firing, unroutable").atMost(Duration.ofSeconds(20))
                    .until(() -> warnings(logs).size() == 1);
            assertThat(fired(logs)).isEqualTo(1);
            // 2 s of ticks (8) with the clock standing still: the 1 s backoff has not passed.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> fired(logs) == 1);

            clock.advance(Duration.ofSeconds(1));   // the backoff is over: both due runs, once each, fail again
            await("the second attempt").atMost(Duration.ofSeconds(20)).until(() -> fired(logs) == 3);
            clock.advance(Duration.ofSeconds(1));   // 1 s of the 2 s backoff
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> fired(logs) == 3);

            Connection admin = broker.connect("warren-test-scheduler-backoff-admin");
            try (admin) {
                Channel channel = admin.createChannel();
                channel.queueDeclare(target, true, false, false, null);
                clock.advance(Duration.ofSeconds(1));   // the 2 s backoff is over: the four runs due so far
                await("the runs published").atMost(Duration.ofSeconds(20))
                        .until(() -> logs.text().contains("publishing succeeded again after 2 failed attempt(s)"));
                List<String> ids = new ArrayList<>();
                await("the runs in the queue").atMost(Duration.ofSeconds(20)).until(() -> {
                    GetResponse response = channel.basicGet(target, true);
                    if (response != null) {
                        ids.add(response.getProps().getMessageId());
                    }
                    return ids.size() == 4;
                });
                Instant first = Instant.ofEpochSecond(clock.instant().getEpochSecond() - 3);
                assertThat(ids).containsExactly("tick@" + first, "tick@" + first.plusSeconds(1),
                        "tick@" + first.plusSeconds(2), "tick@" + first.plusSeconds(3));
            }
            assertThat(fired(logs)).isEqualTo(7);
            assertThat(warnings(logs)).singleElement().asString()
                    .contains("schedule 'tick': publishing 1 run(s) failed, tried again in 1s", "unroutable");
            assertThat(logs.lines()).filteredOn(line -> line.contains("succeeded again")).singleElement().asString()
                    .startsWith("INFO");
        } finally {
            schedulerLog.setLevel(level);
        }
    }

    private static List<String> warnings(LogCapture logs) {
        return logs.lines().stream().filter(line -> line.startsWith("WARN") && line.contains("publishing")).toList();
    }

    private static long fired(LogCapture logs) {
        return logs.lines().stream().filter(line -> line.startsWith("DEBUG") && line.contains("fired tick@")).count();
    }
}
