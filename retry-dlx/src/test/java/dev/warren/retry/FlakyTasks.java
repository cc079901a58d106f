package dev.warren.retry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Task types that fail on purpose, recording every run with its attempt and time. */
final class FlakyTasks extends TaskModule {

    /**
     * One run of a handler.
     *
     * @param cameFrom the queue the broker last dead-lettered the message from (the newest
     *                 {@code x-death} entry, so the retry queue it waited in), or null on a first run
     */
    record Run(String messageId, String type, int attempt, long nanos, String cameFrom) {
    }

    /** Every run, in order; and a switch that makes {@code until_fixed} succeed. Thread-safe. */
    @Singleton
    static final class Runs {
        final List<Run> runs = new CopyOnWriteArrayList<>();
        volatile boolean fixed;

        void record(TaskContext context) {
            runs.add(new Run(context.messageId(), context.taskType(), context.attempt(), System.nanoTime(),
                    lastDeadLetteredFrom(context.headers())));
        }

        private static String lastDeadLetteredFrom(Map<String, Object> headers) {
            if (headers != null && headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
                    && deaths.get(0) instanceof Map<?, ?> newest && newest.get("queue") != null) {
                return newest.get("queue").toString();
            }
            return null;
        }

        List<Run> of(String messageId) {
            return runs.stream().filter(r -> r.messageId().equals(messageId)).toList();
        }

        List<Run> ofType(String type) {
            return runs.stream().filter(r -> r.type().equals(type)).toList();
        }
    }

    /** Payload with an optional number of attempts to fail. */
    record Plan(Integer times) {
    }

    private final Map<String, TaskOptions> options;

    /** With {@code options} for some of the types, given at registration. */
    FlakyTasks(Map<String, TaskOptions> options) {
        this.options = options;
    }

    FlakyTasks() {
        this(Map.of());
    }

    @Override
    protected void configureTasks() {
        bindTask("always_fails", JsonNode.class, AlwaysFails.class, optionsOf("always_fails"));
        bindTask("fails_first", Plan.class, FailsFirst.class, optionsOf("fails_first"));
        bindTask("until_fixed", JsonNode.class, UntilFixed.class, optionsOf("until_fixed"));
        bindTask("refuses", JsonNode.class, Refuses.class, optionsOf("refuses"));
        bindTask("wrong_argument", JsonNode.class, WrongArgument.class, optionsOf("wrong_argument"));
        bindTask("record", Plan.class, FailsFirst.class, optionsOf("record"));
        bindTask("quick", Plan.class, FailsFirst.class, optionsOf("quick"));
        bindTask("slow", Plan.class, FailsFirst.class, optionsOf("slow"));
        bindTask("wrong_argument_too", JsonNode.class, WrongArgument.class, optionsOf("wrong_argument_too"));
    }

    private TaskOptions optionsOf(String type) {
        return options.getOrDefault(type, TaskOptions.DEFAULTS);
    }

    static final class AlwaysFails implements TaskHandler<JsonNode, Void> {
        private final Runs runs;

        @Inject
        AlwaysFails(Runs runs) {
            this.runs = runs;
        }

        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            runs.record(context);
            throw new IllegalStateException("always fails (attempt " + context.attempt() + ")");
        }
    }

    static final class FailsFirst implements TaskHandler<Plan, Map<String, Integer>> {
        private final Runs runs;

        @Inject
        FailsFirst(Runs runs) {
            this.runs = runs;
        }

        @Override
        public Map<String, Integer> handle(Plan plan, TaskContext context) {
            runs.record(context);
            if (plan.times() != null && context.attempt() <= plan.times()) {
                throw new IllegalStateException("fails attempt " + context.attempt() + " of the first " + plan.times());
            }
            return Map.of("attempt", context.attempt());
        }
    }

    static final class UntilFixed implements TaskHandler<JsonNode, Void> {
        private final Runs runs;

        @Inject
        UntilFixed(Runs runs) {
            this.runs = runs;
        }

        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            runs.record(context);
            if (!runs.fixed) {
                throw new PermanentTaskFailure("the mail server rejects us until an operator fixes it");
            }
            return null;
        }
    }

    static final class Refuses implements TaskHandler<JsonNode, Void> {
        private final Runs runs;

        @Inject
        Refuses(Runs runs) {
            this.runs = runs;
        }

        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            runs.record(context);
            throw new PermanentTaskFailure("user does not exist");
        }
    }

    static final class WrongArgument implements TaskHandler<JsonNode, Void> {
        private final Runs runs;

        @Inject
        WrongArgument(Runs runs) {
            this.runs = runs;
        }

        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            runs.record(context);
            throw new IllegalArgumentException("configured as non-retryable");
        }
    }

    /** Milliseconds between consecutive runs. */
    static List<Long> gapsMillis(List<Run> runs) {
        java.util.ArrayList<Long> gaps = new java.util.ArrayList<>();
        for (int i = 1; i < runs.size(); i++) {
            gaps.add(Duration.ofNanos(runs.get(i).nanos() - runs.get(i - 1).nanos()).toMillis());
        }
        return gaps;
    }
}
