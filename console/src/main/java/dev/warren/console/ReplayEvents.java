package dev.warren.console;

import dev.warren.core.connection.AmqpConnections;
import dev.warren.events.Event;
import dev.warren.events.EventDrops;
import dev.warren.events.EventPublisher;
import dev.warren.events.EventsSettings;
import dev.warren.retry.DeadLetter;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The {@code replayed} task events of one signed-in user's replays and moves, written to the
 * console's task-event stream on the user's own connection (named {@code warren-console@<user>-events}),
 * so a task's timeline says who sent it back and from where. Like every event, they never hold up
 * or fail a replay: a stream the user may not write to, or cannot reach, drops them, counted and
 * logged once ({@link EventPublisher}). Thread safe; closed with the user's session.
 */
final class ReplayEvents implements AutoCloseable {

    private final EventPublisher publisher;
    private final String source;
    private final Clock clock;

    ReplayEvents(String stream, AmqpConnections connections, String source, Clock clock) {
        EventsSettings settings = EventsSettings.defaults().withStream(stream);
        this.publisher = new EventPublisher(settings, connections, new EventDrops(stream));
        this.source = source;
        this.clock = clock;
        publisher.start();
    }

    /** The events of one replay (or move) of dead letters of {@code dlq} to {@code target}. */
    Run run(String target, String dlq) {
        return new Run(target, dlq);
    }

    /**
     * One replay's events. Each letter's {@code replayed} event carries the instant its filter chose
     * it, just before its copy is published, not the later one of the copy's confirm, so its timeline
     * never shows a worker receiving the copy before it was replayed. Forgotten with the run.
     */
    final class Run {

        private final String target;
        private final String dlq;
        // Letters chosen for a copy and not yet told as replayed -> when they were chosen.
        private final Map<DeadLetter, Instant> chosenAt = Collections.synchronizedMap(new IdentityHashMap<>());

        private Run(String target, String dlq) {
            this.target = target;
            this.dlq = dlq;
        }

        /** {@code filter}, noting when each letter it chooses is about to be copied. */
        Predicate<DeadLetter> noting(Predicate<DeadLetter> filter) {
            return letter -> {
                boolean chosen = filter.test(letter);
                if (chosen) {
                    chosenAt.put(letter, clock.instant());
                }
                return chosen;
            };
        }

        /** {@code letter} was copied to the target and removed from the DLQ. */
        void replayed(DeadLetter letter) {
            Instant chosen = chosenAt.remove(letter);
            publisher.offer(Event.replayed(letter.messageId(), letter.taskType(), target, source,
                    chosen != null ? chosen : clock.instant(), "replayed from " + dlq + " in the console"));
        }
    }

    @Override
    public void close() {
        publisher.close();
    }
}
