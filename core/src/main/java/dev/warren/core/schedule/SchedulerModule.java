package dev.warren.core.schedule;

import com.google.inject.AbstractModule;
import dev.warren.core.task.TaskModule;
import java.util.Objects;

/**
 * Wiring for a {@link Scheduler} replica with {@code settings}; the schedules come from the
 * installed {@link TaskModule}s. Install with {@code CoreModule}. Opens nothing: the scheduler
 * connects when started.
 */
public final class SchedulerModule extends AbstractModule {

    private final SchedulerSettings settings;

    public SchedulerModule(SchedulerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        bind(SchedulerSettings.class).toInstance(settings);
        // Declared here too, so an app whose task modules schedule nothing still starts (and says so).
        TaskModule.scheduleBinder(binder());
        bind(Scheduler.class);
    }
}
