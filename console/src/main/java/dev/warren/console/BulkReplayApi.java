package dev.warren.console;

import dev.warren.retry.ReplayPace;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code /api/dead-letters/replay-matching}: replays every dead letter matching a filter in the
 * background at a limited rate ({@code POST}, with the list's filter parameters, {@code rate} and
 * {@code window}, the copies awaiting their confirm),
 * shows its progress ({@code GET}) and cancels it ({@code DELETE}). One per session at a time.
 * Needs what replay needs (read on the DLQ, write on {@code amq.default}).
 */
final class BulkReplayApi {

    static final String PATH = "/api/dead-letters/replay-matching";
    static final int DEFAULT_RATE = 50;
    static final int MAX_RATE = 20_000;
    /** The most copies a bulk replay may have awaiting their confirm: also the most letters a crash can duplicate. */
    static final int MAX_WINDOW = 10_000;

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
        BulkReplay replay = new BulkReplay(queue, filter, new ReplayPace(rate, window), clock);
        BulkReplay before = session.bulkReplay().getAndUpdate(running -> running != null && running.isRunning()
                ? running : replay);
        if (before != null && before.isRunning()) {
            return Reply.error(409, "a bulk replay of " + before.progress().queue()
                    + " is running in this session; cancel it or wait for it to end");
        }
        replay.start(broker);
        return Reply.json(202, replay.progress());
    }

    private static Optional<BulkReplay> current(Session session) {
        return Optional.ofNullable(session.bulkReplay().get());
    }
}
