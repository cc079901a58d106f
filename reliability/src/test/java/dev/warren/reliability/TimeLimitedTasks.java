package dev.warren.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import java.time.Duration;
import java.util.Map;

/**
 * Test-only task types with a time limit, for the consumer-timeout scenario: a team's own
 * {@link TaskModule}, exactly as the README shows, run in an in-process worker (worker-app has no
 * flag for time limits, and needs none). Both types ignore their payload, so {@code load
 * --types} can send them.
 *
 * <ul>
 *   <li>{@value #SLOW_FIRST_ATTEMPT}: its first attempt would run {@link #SLOW} and is stopped by
 *       the time limit; later attempts succeed at once.
 *   <li>{@value #ALWAYS_SLOW}: every attempt would run {@link #SLOW}; it ends in the DLQ.
 * </ul>
 */
final class TimeLimitedTasks extends TaskModule {

    static final String SLOW_FIRST_ATTEMPT = "slow_first_attempt";
    static final String ALWAYS_SLOW = "always_slow";
    /** How long a slow attempt would run without its limit: longer than the broker's consumer timeout. */
    static final Duration SLOW = Duration.ofSeconds(8);

    private final Duration timeLimit;

    TimeLimitedTasks(Duration timeLimit) {
        this.timeLimit = timeLimit;
    }

    @Override
    protected void configureTasks() {
        bindTask(SLOW_FIRST_ATTEMPT, JsonNode.class, SlowFirstAttempt.class, TaskOptions.timeLimit(timeLimit));
        bindTask(ALWAYS_SLOW, JsonNode.class, AlwaysSlow.class, TaskOptions.timeLimit(timeLimit));
    }

    /** Sleeps {@link #SLOW} on attempt 1 (interruptibly); returns its attempt number after that. */
    public static final class SlowFirstAttempt implements TaskHandler<JsonNode, Map<String, Integer>> {
        @Override
        public Map<String, Integer> handle(JsonNode payload, TaskContext context) throws InterruptedException {
            if (context.attempt() == 1) {
                Thread.sleep(SLOW);
            }
            return Map.of("attempt", context.attempt());
        }
    }

    /** Sleeps {@link #SLOW} on every attempt (interruptibly). */
    public static final class AlwaysSlow implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) throws InterruptedException {
            Thread.sleep(SLOW);
            return null;
        }
    }
}
