package dev.warren.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The runs of one schedule a scheduler fires at one tick: the due instants after the last one
 * fired (or skipped) up to now, the misfires among them filtered by the schedule's
 * {@link MisfirePolicy}. Pure arithmetic on instants, no clock of its own.
 *
 * @param fire    due instants to fire, oldest first
 * @param lastDue the latest due instant this tick accounts for (fired or skipped); the next
 *                tick starts after it. Equal to the previous one when nothing was due
 * @param missed  misfires found (due more than the threshold ago)
 * @param skipped misfires the policy does not fire
 */
record DueRuns(List<Instant> fire, Instant lastDue, int missed, int skipped) {

    private static final Duration THRESHOLD = Duration.ofSeconds(MisfirePolicy.MISFIRE_THRESHOLD_SECONDS);

    /** The runs of {@code task} due in ({@code lastDue}, {@code now}]. */
    static DueRuns of(ScheduledTask task, Instant lastDue, Instant now) {
        Instant cutoff = now.minus(THRESHOLD);
        int keepMissed = task.misfire().firedOfMissed();
        Deque<Instant> missedKept = new ArrayDeque<>();
        List<Instant> onTime = new ArrayList<>();
        int missed = 0;
        Instant last = lastDue;
        for (Instant due = task.when().nextAfter(lastDue); due != null && !due.isAfter(now);
             due = task.when().nextAfter(due)) {
            last = due;
            if (due.isBefore(cutoff)) {
                missed++;
                // Keep only the tail the policy may fire: a long outage of a frequent schedule holds no list.
                missedKept.addLast(due);
                if (missedKept.size() > keepMissed) {
                    missedKept.removeFirst();
                }
            } else {
                onTime.add(due);
            }
        }
        List<Instant> fire = new ArrayList<>(task.misfire().select(List.copyOf(missedKept)));
        fire.addAll(onTime);
        return new DueRuns(List.copyOf(fire), last, missed, missed - (fire.size() - onTime.size()));
    }
}
