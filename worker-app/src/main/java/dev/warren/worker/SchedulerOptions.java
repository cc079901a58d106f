package dev.warren.worker;

import com.google.inject.Injector;
import com.google.inject.Module;
import dev.warren.cli.DurationConverter;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.schedule.Scheduler;
import dev.warren.core.schedule.SchedulerModule;
import dev.warren.core.schedule.SchedulerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** worker-app's {@code --scheduler} flags: run a scheduler replica beside the worker. */
final class SchedulerOptions {

    @Option(names = "--scheduler", defaultValue = "${env:WARREN_SCHEDULER:-false}",
            description = "Also run a scheduler replica: publish the schedules the task modules declare while this"
                    + " replica is the active one of its group; any number of replicas may run, the broker keeps"
                    + " one active (docs/scheduling.md) (env WARREN_SCHEDULER; default ${DEFAULT-VALUE}).")
    boolean enabled;

    @Option(names = "--scheduler-group", paramLabel = "NAME", defaultValue = "${env:WARREN_SCHEDULER_GROUP:-default}",
            description = "With --scheduler: the group of replicas that elect one active; its lease queue is"
                    + " warren.scheduler.<group> (env WARREN_SCHEDULER_GROUP; default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--scheduler-heartbeat", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_SCHEDULER_HEARTBEAT:-5s}",
            description = "With --scheduler: AMQP heartbeat of the lease connection; an active replica cut off by"
                    + " the network is replaced within about twice this (env WARREN_SCHEDULER_HEARTBEAT;"
                    + " default ${DEFAULT-VALUE}).")
    Duration heartbeat;

    /** The scheduler's Guice module with {@code --scheduler}, none without. */
    List<Module> modules(String replicaName) {
        return enabled ? List.of(new SchedulerModule(settings(replicaName))) : List.of();
    }

    /**
     * With {@code --scheduler}: starts the scheduler of {@code injector} and returns it.
     *
     * @throws InvalidSettingException when no task module declares a schedule
     */
    Optional<Scheduler> start(Injector injector) {
        if (!enabled) {
            return Optional.empty();
        }
        Scheduler scheduler = injector.getInstance(Scheduler.class);
        if (scheduler.schedules().isEmpty()) {
            throw new InvalidSettingException("--scheduler is set but no task module declares a schedule: add"
                    + " schedule(name, type, Schedule.cron(..) or Schedule.every(..), payload) to a TaskModule"
                    + " (docs/scheduling.md, \"Recurring tasks\"), or drop --scheduler");
        }
        scheduler.start();
        return Optional.of(scheduler);
    }

    private SchedulerSettings settings(String replicaName) {
        try {
            return SchedulerSettings.of(group, replicaName).withHeartbeat(heartbeat);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("--scheduler-group/--scheduler-heartbeat: " + e.getMessage());
        }
    }
}
