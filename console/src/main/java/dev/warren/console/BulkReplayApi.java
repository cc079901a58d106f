package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.config.Durations;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.retry.ReplayPace;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code /api/dead-letters/replay-matching}: replays every dead letter matching a filter in the
 * background at a limited rate ({@code POST}, with the list's filter parameters, {@code rate} and
 * {@code window}, the copies awaiting their confirm),
 * shows its progress ({@code GET}) and cancels it ({@code DELETE}). One per session at a time.
 * Needs what replay needs (read on the DLQ, write on {@code amq.default}). A run that could outlast
 * half the broker's consumer timeout on the DLQ is refused before it starts.
 */
final class BulkReplayApi {

    static final String PATH = "/api/dead-letters/replay-matching";
    static final int DEFAULT_RATE = 50;
    static final int MAX_RATE = 20_000;
    /** The most copies a bulk replay may have awaiting their confirm: also the most letters a crash can duplicate. */
    static final int MAX_WINDOW = 10_000;

    /** RabbitMQ's default {@code consumer_timeout}. */
    static final Duration DEFAULT_CONSUMER_TIMEOUT = Duration.ofMinutes(30);
    /** How much of the consumer timeout a replay may take by its estimate. */
    static final int SAFE_SHARE_PERCENT = 50;
    /**
     * Letters a second assumed for reading the dead-letter queue: a third of what a filtered list
     * reads on this project's loaded 2-core machine (docs/console.md, "Numbers").
     */
    static final int ASSUMED_READ_RATE = 5_000;
    private static final String TIMEOUT_ARGUMENT = "x-consumer-timeout";
    private static final String TIMEOUT_POLICY_KEY = "consumer-timeout";

    private final Clock clock;

    BulkReplayApi(Clock clock) {
        this.clock = clock;
    }

    void addTo(Routes routes) {
        routes.add("POST", PATH, Routes.Access.API, this::start)
                .add("GET", PATH, Routes.Access.API, request -> current(request.session())
                        .map(replay -> Reply.json(replay.progress()))
                        .orElseGet(() -> Reply.error(404, "no bulk replay in this session")))
                .add("DELETE", PATH, Routes.Access.API, request -> current(request.session())
                        .map(replay -> {
                            replay.cancel();
                            return Reply.json(replay.progress());
                        })
                        .orElseGet(() -> Reply.error(404, "no bulk replay in this session")));
    }

    private Reply start(ConsoleRequest request) throws Exception {
        String queue = request.param("queue").orElseThrow(() -> new IllegalArgumentException(
                "queue is required: the work queue whose dead letters to replay, e.g. ?queue=task_queue"));
        DeadLetterFilter filter = DeadLetterFilter.of(request);
        int rate = DeadLettersApi.number(request, "rate", DEFAULT_RATE, 1, MAX_RATE);
        int window = DeadLettersApi.number(request, "window", ReplayPace.DEFAULT_WINDOW, 1, MAX_WINDOW);
        Session session = request.session();
        UserBroker broker = session.broker();
        DeadLettersApi.requireMayReplay(broker);
        BulkReplay latest = session.bulkReplay().get();
        if (latest != null && latest.isRunning()) {
            return alreadyRunning(latest);   // before the estimate, which reads the whole DLQ
        }
        requireEndsWithinConsumerTimeout(broker, queue, filter, rate);
        BulkReplay replay = new BulkReplay(queue, filter, new ReplayPace(rate, window), clock);
        BulkReplay before = session.bulkReplay().getAndUpdate(running -> running != null && running.isRunning()
                ? running : replay);
        if (before != null && before.isRunning()) {
            return alreadyRunning(before);
        }
        replay.start(broker);
        return Reply.json(202, replay.progress());
    }

    private static Reply alreadyRunning(BulkReplay running) {
        return Reply.error(409, "a bulk replay of " + running.progress().queue()
                + " is running in this session; cancel it or wait for it to end");
    }

    /**
     * Refuses (400) a replay that could outlast a safe share of the broker's {@code consumer_timeout}
     * on the dead-letter queue. A replay is one read: every letter it has not removed yet stays
     * unacknowledged on its channel (those that do not match, and those delivered ahead of the pace)
     * until the run ends, and the broker closes a channel holding a delivery past the timeout, which
     * would end the run FAILED with up to a window of copies duplicated. The longest any letter is
     * held is about the run's length: the matches at {@code rate} plus the read of every letter.
     */
    private static void requireEndsWithinConsumerTimeout(UserBroker broker, String queue, DeadLetterFilter filter,
                                                         int rate) throws IOException {
        String dlq = DeadLetterOnFailure.deadLetterQueue(queue);
        long[] letters = {0};
        long[] matches = {0};
        if (filter.matchesAll()) {
            letters[0] = broker.deadLetters().size(queue);
            matches[0] = letters[0];
        } else {
            DeadLetterScan.each(broker.deadLetters(), queue, letter -> {
                letters[0]++;
                if (filter.test(letter)) {
                    matches[0]++;
                }
            });
        }
        Duration timeout = consumerTimeout(broker, dlq);
        Duration allowed = timeout.multipliedBy(SAFE_SHARE_PERCENT).dividedBy(100);
        Duration reading = Duration.ofMillis(letters[0] * 1000 / ASSUMED_READ_RATE);
        Duration estimate = reading.plusMillis(matches[0] * 1000 / rate);
        if (estimate.compareTo(allowed) > 0) {
            long spare = allowed.minus(reading).toMillis();
            long needed = spare <= 0 ? Long.MAX_VALUE : (matches[0] * 1000 + spare - 1) / spare;
            String fix = needed > MAX_RATE ? "no rate up to " + MAX_RATE + " is enough: narrow the filter, or move"
                    + " letters out of the dead-letter queue first" : "raise rate to at least " + needed
                    + " (only matching letters are paced) or narrow the filter";
            throw new IllegalArgumentException("rate: replaying " + matches[0] + " of " + letters[0] + " dead letters at "
                    + rate + "/s could take " + Durations.format(Duration.ofSeconds((estimate.toMillis() + 999) / 1000))
                    + ", more than " + SAFE_SHARE_PERCENT + "% of the broker's consumer_timeout of "
                    + Durations.format(timeout) + " on '" + dlq + "' (past it the broker closes the read and the replay"
                    + " fails): " + fix);
        }
    }

    /**
     * The dead-letter queue's consumer timeout as the management API shows it: its
     * {@value #TIMEOUT_ARGUMENT} argument or its policy's {@value #TIMEOUT_POLICY_KEY} (RabbitMQ
     * 3.12+), the shorter; else RabbitMQ's default, {@link #DEFAULT_CONSUMER_TIMEOUT} (the node-wide
     * {@code consumer_timeout} is not in the management API).
     */
    private static Duration consumerTimeout(UserBroker broker, String dlq) throws IOException {
        JsonNode shown = broker.management().get("/api/queues/" + ManagementClient.segment(broker.vhost()) + "/"
                + ManagementClient.segment(dlq));
        long millis = Long.MAX_VALUE;
        for (JsonNode value : List.of(shown.path("arguments").path(TIMEOUT_ARGUMENT),
                shown.path("effective_policy_definition").path(TIMEOUT_POLICY_KEY))) {
            if (value.canConvertToLong() && value.asLong() > 0) {
                millis = Math.min(millis, value.asLong());
            }
        }
        return millis == Long.MAX_VALUE ? DEFAULT_CONSUMER_TIMEOUT : Duration.ofMillis(millis);
    }

    private static Optional<BulkReplay> current(Session session) {
        return Optional.ofNullable(session.bulkReplay().get());
    }
}
