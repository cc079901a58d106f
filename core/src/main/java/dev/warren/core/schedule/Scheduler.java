package dev.warren.core.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import dev.warren.core.config.Durations;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.consume.TopologyMismatchException;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.task.TaskType;
import dev.warren.core.wire.TaskHeaders;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduler replica: publishes the registered {@link ScheduledTask}s when they are due, while it
 * is the active replica of its group. Any number of replicas may run; the broker elects one
 * through the group's lease queue (docs/scheduling.md, "The scheduler"). The active one, every
 * tick: publishes each due run through the {@link TaskPublisher} (confirmed; message id
 * {@code <schedule>@<due>}, headers {@value TaskHeaders#SCHEDULE} and {@value TaskHeaders#DUE_AT}),
 * then publishes its new state to the lease queue (confirmed) and acknowledges the old one, then
 * its status. A run whose publish fails is not recorded and is published again, under the same id,
 * after a per-schedule backoff ({@link FiringBackoff}: 1 s doubling to 1 min); a failure streak is
 * logged once at WARN, its end once at INFO.
 *
 * <p>Delivery of firings is at least once: a replica that dies between a firing's confirm and its
 * state's leaves that run to the next one, which publishes it again with the same id. Thread-safe.
 */
@Singleton
public final class Scheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final TaskPublisher publisher;
    private final RouteTable routes;
    private final Map<String, ScheduledTask> schedules;
    private final SchedulerSettings settings;
    private final Clock clock;
    private final LeaderState state = new LeaderState();
    private final SchedulerLease lease;
    private final SchedulerReport report;
    private final ScheduledExecutorService ticker;
    // Tick thread only.
    private final FiringBackoff backoff = new FiringBackoff();
    private Instant lastRenewal = Instant.MIN;

    @Inject
    public Scheduler(AmqpConnections connections, TaskPublisher publisher, RouteTable routes,
                     Map<String, ScheduledTask> schedules, SchedulerSettings settings, ObjectMapper mapper, Clock clock) {
        this.publisher = publisher;
        this.routes = routes;
        this.schedules = new TreeMap<>(schedules);
        this.settings = settings;
        this.clock = clock;
        this.lease = new SchedulerLease(connections, settings, mapper, clock, state, this::tookOver);
        this.report = new SchedulerReport(publisher, routes, settings, mapper);
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("warren-scheduler-tick").factory());
    }

    /**
     * Joins the group: connects the lease (in the background, reconnecting until {@link #close()})
     * and starts ticking. Returns after the lease's first connection attempt, also when that one
     * failed in a way a retry may fix (the broker unreachable): the background loop goes on.
     *
     * @throws IllegalStateException      when no schedule is registered
     * @throws BrokerUnavailableException when the broker refuses the user access to the lease
     *                                    queues ({@code ACCESS_REFUSED}); the message says what to grant
     * @throws TopologyMismatchException  when a lease queue exists with other arguments
     *                                    ({@code PRECONDITION_FAILED}); the message says what to do
     */
    public void start() {
        if (schedules.isEmpty()) {
            throw new IllegalStateException("no schedule is registered: a scheduler needs a task module that calls"
                    + " schedule(...) (docs/scheduling.md, \"Recurring tasks\")");
        }
        lease.start();
        long tickMillis = settings.tick().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** True while this replica is the active one of its group. */
    public boolean isActive() {
        return state.leading();
    }

    /** The lease connection while one is open; tests close it to force a takeover. */
    Optional<Connection> leaseConnection() {
        return lease.connection();
    }

    /** The schedules this replica runs, by name. */
    public Map<String, ScheduledTask> schedules() {
        return schedules;
    }

    private void tookOver(SchedulerToken from) {
        String after = from.schedules().isEmpty() ? " the group's first state"
                : " " + Duration.between(Instant.parse(from.writtenAt()), clock.instant()).toMillis()
                        + " ms after the last state written by " + from.writtenBy();
        log.info("scheduler {} is active in group '{}' (took over{})", settings.replicaName(), settings.group(), after);
    }

    private void tick() {
        try {
            tickOnce();
        } catch (IOException | RuntimeException e) {
            log.warn("scheduler {} tick failed (retried next tick): {}", settings.replicaName(),
                    AmqpConnections.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tickOnce() throws IOException, InterruptedException {
        if (!state.leading()) {
            return;
        }
        Instant now = clock.instant();
        boolean changed = false;
        for (ScheduledTask task : schedules.values()) {
            changed |= runDue(task, now);
        }
        if (changed || !now.isBefore(lastRenewal.plus(settings.renewEvery()))) {
            var snapshot = state.snapshot(settings.replicaName(), now);
            if (snapshot.isPresent()) {
                lease.renew(snapshot.get());
                lastRenewal = now;
                report.publish(state, schedules.values(), now);
            }
        }
    }

    /** Fires {@code task}'s due runs; true when its progress changed. */
    private boolean runDue(ScheduledTask task, Instant now) throws InterruptedException {
        var progress = state.progress(task.name());
        if (progress.isEmpty()) {
            // A schedule no state knows (new, or its group's state was lost): it starts now.
            log.info("schedule '{}' ({}) starts now; next due {}", task.name(), task.when().describe(),
                    task.when().nextAfter(now));
            state.advance(task.name(), new SchedulerToken.Progress(now.toString(), null));
            return true;
        }
        DueRuns runs = DueRuns.of(task, progress.get().lastDueInstant(), now);
        if (runs.lastDue().equals(progress.get().lastDueInstant()) || !backoff.mayPublish(task.name(), now)) {
            return false;
        }
        if (runs.missed() > 0) {
            log.warn("schedule '{}' missed {} run(s) up to {} (misfire policy {}): firing {}, skipping {}", task.name(),
                    runs.missed(), runs.lastDue(), task.misfire().describe(), runs.missed() - runs.skipped(),
                    runs.skipped());
        }
        if (!fire(task, runs.fire())) {
            return false;
        }
        String firedAt = runs.fire().isEmpty() ? progress.get().lastFiredAt() : clock.instant().toString();
        state.advance(task.name(), new SchedulerToken.Progress(runs.lastDue().toString(), firedAt));
        return true;
    }

    /** Publishes a firing per due instant and waits for the confirms; false if one failed or the lease was lost. */
    private boolean fire(ScheduledTask task, List<Instant> dues) throws InterruptedException {
        List<CompletableFuture<Void>> confirms = new ArrayList<>();
        for (Instant due : dues) {
            if (!state.leading()) {
                return false;
            }
            confirms.add(publisher.publishAt(firing(task, due), due));
            log.debug("schedule '{}' fired {}", task.name(), task.messageId(due));
        }
        try {
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new))
                    .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            int failures = backoff.succeeded(task.name());
            if (failures > 0) {
                log.info("schedule '{}': publishing succeeded again after {} failed attempt(s)", task.name(), failures);
            }
            return true;
        } catch (ExecutionException | TimeoutException e) {
            FiringBackoff.Streak streak = backoff.failed(task.name(), clock.instant());
            String why = AmqpConnections.describe(e.getCause() != null ? e.getCause() : e);
            if (streak.failures() == 1) {
                log.warn("schedule '{}': publishing {} run(s) failed, tried again in {} (then waiting twice as long each"
                        + " time, up to {}; a line says when it succeeds): {}", task.name(), dues.size(),
                        Durations.format(streak.delay()), Durations.format(FiringBackoff.MAX), why);
            } else {
                log.debug("schedule '{}': publishing {} run(s) failed {} times in a row, tried again in {}: {}",
                        task.name(), dues.size(), streak.failures(), Durations.format(streak.delay()), why);
            }
            return false;
        }
    }

    private OutgoingTask firing(ScheduledTask task, Instant due) {
        OutgoingTask plain = publisher.task(typed(task.type()), task.payload());
        return new OutgoingTask(task.messageId(due), plain.type(), plain.payload(),
                SchedulerReport.queueOf(task, routes),
                Map.of(TaskHeaders.SCHEDULE, task.name()), null, null);
    }

    @SuppressWarnings("unchecked") // ScheduledTask checked that its payload is an instance of the type's payload class
    private static TaskType<Object, ?> typed(TaskType<?, ?> type) {
        return (TaskType<Object, ?>) type;
    }

    /** Stops ticking and closes the lease connection: the next replica takes over at once. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lease.close();
    }
}
