package dev.warren.core.schedule;

import dev.warren.core.config.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a scheduler replica. Replicas of one {@code group} share one lease and one state;
 * different groups schedule independently (each runs the schedules registered in its apps).
 *
 * @param group       scheduler group: the lease queue is {@code warren.scheduler.<group>}
 * @param replicaName this replica's name in logs, the lease connection's name and the status
 * @param heartbeat   AMQP heartbeat of the lease connection: a replica cut off from the broker by
 *                    the network loses the lease within about twice this (default 5 s)
 * @param tick        how often the active replica looks for due runs (default 250 ms)
 * @param renewEvery  the longest the active replica holds one state message unacknowledged when
 *                    nothing fires (default 1 min; must stay well below the broker's
 *                    {@code consumer_timeout}, 30 min by default)
 */
public record SchedulerSettings(String group, String replicaName, Duration heartbeat, Duration tick,
                                Duration renewEvery) {

    /** The group of replicas started without {@code --scheduler-group}. */
    public static final String DEFAULT_GROUP = "default";
    /** Prefix of the lease queue; the status queue adds {@value #STATUS_SUFFIX}. */
    public static final String QUEUE_PREFIX = "warren.scheduler.";
    /** Suffix of the status queue after the lease queue's name. */
    public static final String STATUS_SUFFIX = ".status";
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.-]+");

    public SchedulerSettings {
        if (group == null || !GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("scheduler group must be letters, digits and _ . -, was '" + group + "'");
        }
        if (replicaName == null || replicaName.isBlank()) {
            throw new IllegalArgumentException("scheduler replica name must not be blank, was '" + replicaName + "'");
        }
        requireAtLeast("scheduler heartbeat", heartbeat, Duration.ofSeconds(1));
        requireAtLeast("scheduler tick", tick, Duration.ofMillis(10));
        requireAtLeast("scheduler renew interval", renewEvery, tick);
    }

    /** Settings for {@code group} with the defaults: heartbeat 5 s, tick 250 ms, renew every minute. */
    public static SchedulerSettings of(String group, String replicaName) {
        return new SchedulerSettings(group, replicaName, Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofMinutes(1));
    }

    /** These settings with lease heartbeat {@code value}. */
    public SchedulerSettings withHeartbeat(Duration value) {
        return new SchedulerSettings(group, replicaName, value, tick, renewEvery);
    }

    /** The lease queue: {@code warren.scheduler.<group>}. */
    public String leaseQueue() {
        return leaseQueue(group);
    }

    /** The status queue: {@code warren.scheduler.<group>.status}. */
    public String statusQueue() {
        return statusQueue(group);
    }

    /** The lease queue of {@code group}. */
    public static String leaseQueue(String group) {
        return QUEUE_PREFIX + group;
    }

    /** The status queue of {@code group}, which {@code producer-app schedules} reads. */
    public static String statusQueue(String group) {
        return leaseQueue(group) + STATUS_SUFFIX;
    }

    private static void requireAtLeast(String setting, Duration value, Duration minimum) {
        Objects.requireNonNull(value, setting);
        if (value.compareTo(minimum) < 0) {
            throw new IllegalArgumentException(setting + " must be at least " + Durations.format(minimum) + ", was "
                    + Durations.format(value));
        }
    }
}
