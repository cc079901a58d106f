package dev.warren.producer.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.config.Durations;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.ResultListener;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.wire.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Runs one load: {@code publishers} threads, each with its own {@link TaskPublisher} (and so its
 * own channel), send the plan's tasks as fast as confirms allow or on a fixed schedule, never
 * with more than {@code window} publishes awaiting a confirm (a stalled broker stalls the run
 * instead of growing a queue); then, with {@code --await-results}, waits for the results.
 *
 * <p>Open loop with {@code --rate}: the n-th task is due at {@code start + n / rate}, whatever
 * happened to earlier ones; when sending falls more than a second behind, the run warns once.
 * Counting is exact: every publish is settled once (confirmed, nacked, returned, failed) and every
 * result message is counted by the {@link ResultLedger}. One run per instance.
 */
final class LoadRun {

    private static final long TICK_MILLIS = 200;
    private static final long LAG_WARNING_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LoadPlan plan;
    private final List<TaskPublisher> publishers;
    private final Duration timeout;
    private final Consumer<String> warnings;
    private final ResultLedger ledger = new ResultLedger();
    private final Semaphore window;
    private final AtomicLong next = new AtomicLong();
    private final Map<String, LongAdder> sentByType = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder deadLetterTasks = new LongAdder();
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder nacked = new LongAdder();
    private final LongAdder returned = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final AtomicLong maxLagNanos = new AtomicLong();
    private final AtomicLong lastConfirmNanos = new AtomicLong();
    // Microseconds; concurrent: recorded on amqp-client threads, read at the end.
    private final Histogram confirmLatency = new ConcurrentHistogram(3);
    private final Histogram endToEnd = new ConcurrentHistogram(3);
    private final ResultListener results = new Results();
    private volatile long startNanos;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean stopping;

    /**
     * @param timeout  how long to wait for the last confirms, and then for results
     * @param warnings where warnings go (one line each), such as falling behind {@code --rate}
     */
    LoadRun(LoadPlan plan, List<TaskPublisher> publishers, Duration timeout, Consumer<String> warnings) {
        if (publishers.size() != plan.publishers()) {
            throw new IllegalArgumentException("need " + plan.publishers() + " publishers, got " + publishers.size());
        }
        this.plan = plan;
        this.publishers = List.copyOf(publishers);
        this.timeout = timeout;
        this.warnings = warnings;
        this.window = new Semaphore(plan.window());
        for (String type : plan.mix().types()) {
            sentByType.put(type, new LongAdder());
        }
    }

    /** Sends, waits for confirms (and results), and reports. Blocks for the whole run. */
    LoadReport run(LoadProgress progress) throws IOException, InterruptedException {
        // With a reply queue, the caller passes that queue's results to results() instead.
        if (plan.awaitResults() && plan.replyQueue() == null) {
            for (TaskPublisher publisher : publishers) {
                publisher.addResultListener(results);
            }
        }
        try {
            startNanos = System.nanoTime();
            lastConfirmNanos.set(startNanos);
            if (!plan.counted()) {
                deadlineNanos = startNanos + plan.duration().toNanos();
            }
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < publishers.size(); i++) {
                TaskPublisher publisher = publishers.get(i);
                threads.add(Thread.ofPlatform().name("warren-load-" + (i + 1)).start(() -> publishLoop(publisher)));
            }
            boolean warnedLag = false;
            for (Thread thread : threads) {
                while (!thread.join(Duration.ofMillis(TICK_MILLIS))) {
                    progress.sending(sent.sum(), confirmed.sum(), Duration.ofNanos(System.nanoTime() - startNanos));
                    warnedLag = warnIfBehind(warnedLag);
                }
            }
            awaitConfirms(progress);
            long resultsFrom = System.nanoTime();
            if (plan.awaitResults()) {
                awaitResults(progress);
            }
            long waited = System.nanoTime() - resultsFrom;
            return report(waited);
        } finally {
            stopping = true;
            for (TaskPublisher publisher : publishers) {
                publisher.removeResultListener(results);
            }
        }
    }

    private void publishLoop(TaskPublisher publisher) {
        TaskMix mix = plan.mix();
        while (!stopping) {
            long n = next.getAndIncrement();
            if (plan.counted() && n >= plan.count()) {
                return;
            }
            if (plan.rate() > 0 && !waitUntilDue(n)) {
                return;
            }
            if (!acquireWindow()) {
                return;
            }
            String type = mix.typeOf(n);
            ObjectNode payload = mix.payloadOf(n);
            OutgoingTask task = new OutgoingTask(ledger.idOf(n), type, payload, plan.queue(), null, null, null);
            long started = System.nanoTime();
            CompletableFuture<Void> confirm;
            if (plan.awaitResults()) {
                ledger.published(n, started);
                confirm = plan.replyQueue() != null ? publisher.publish(task.replyTo(plan.replyQueue()))
                        : publisher.publishForResult(task);
            } else {
                confirm = publisher.publish(task);
            }
            sent.increment();
            sentByType.computeIfAbsent(type, t -> new LongAdder()).increment();
            if (mix.deadLetterTask(n)) {
                deadLetterTasks.increment();
            }
            confirm.whenComplete((ok, error) -> settle(n, started, error));
        }
    }

    /** Waits until the n-th task is due; false when the run ends first. */
    private boolean waitUntilDue(long n) {
        long due = startNanos + (long) (n * 1e9 / plan.rate());
        if (due >= deadlineNanos) {
            return false;
        }
        long left;
        while ((left = due - System.nanoTime()) > 0) {
            if (stopping) {
                return false;
            }
            LockSupport.parkNanos(left);
        }
        maxLagNanos.accumulateAndGet(-left, Math::max);
        return true;
    }

    /** Takes a place in the window, waiting while it is full; false when the run ends first. */
    private boolean acquireWindow() {
        try {
            while (!window.tryAcquire(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stopping || System.nanoTime() >= deadlineNanos) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (System.nanoTime() >= deadlineNanos) {
            window.release();
            return false;
        }
        return true;
    }

    private void settle(long n, long started, Throwable error) {
        try {
            count(n, started, error);
        } finally {
            // Last: a full window means every settled publish is counted (awaitConfirms relies on it).
            window.release();
        }
    }

    private void count(long n, long started, Throwable error) {
        long now = System.nanoTime();
        if (error == null) {
            confirmed.increment();
            confirmLatency.recordValue(Math.max(0, (now - started) / 1000));
            lastConfirmNanos.accumulateAndGet(now, Math::max);
            if (plan.awaitResults()) {
                ledger.confirmed(n);
            }
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        PublishException.Reason reason = cause instanceof PublishException p ? p.reason() : null;
        if (reason == PublishException.Reason.NACKED) {
            nacked.increment();
        } else if (reason == PublishException.Reason.UNROUTABLE) {
            returned.increment();
        } else {
            failed.increment();
        }
    }

    private boolean warnIfBehind(boolean warned) {
        if (warned || plan.rate() <= 0) {
            return warned;
        }
        long due = startNanos + (long) (next.get() * 1e9 / plan.rate());
        long behind = System.nanoTime() - due;
        if (behind < LAG_WARNING_NANOS || due >= deadlineNanos) {
            return false;
        }
        warnings.accept(String.format(java.util.Locale.ROOT, "warning: cannot keep up with --rate %.0f/s: sending is %s"
                + " behind schedule (%d of %d publishes awaiting a confirm); the broker or this client is the limit."
                + " Try more --publishers or a larger --window, or a lower --rate", plan.rate(),
                Durations.format(Duration.ofMillis(behind / 1_000_000)), plan.window() - window.availablePermits(),
                plan.window()));
        return true;
    }

    private void awaitConfirms(LoadProgress progress) throws InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (window.availablePermits() < plan.window() && System.nanoTime() < giveUp) {
            progress.sending(sent.sum(), confirmed.sum(), Duration.ofNanos(System.nanoTime() - startNanos));
            Thread.sleep(Math.min(TICK_MILLIS, 20));
        }
        progress.sending(sent.sum(), confirmed.sum(), Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private void awaitResults(LoadProgress progress) throws InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        long expected = confirmed.sum();
        while (ledger.answeredConfirmed() < expected && System.nanoTime() < giveUp) {
            progress.awaiting(ledger.answeredConfirmed(), expected);
            Thread.sleep(20);
        }
        progress.awaiting(ledger.answeredConfirmed(), expected);
        if (ledger.answeredConfirmed() >= expected) {
            // Every task is answered; a duplicate may still be on its way.
            Thread.sleep(plan.duplicateGrace().toMillis());
        }
    }

    private LoadReport report(long waitedNanos) {
        // The mix's types in the order given, then any other (fail, when --fail-ratio adds it).
        Map<String, Long> ordered = new LinkedHashMap<>();
        plan.mix().types().forEach(type -> ordered.put(type, sentByType.get(type).sum()));
        sentByType.forEach((type, n) -> ordered.putIfAbsent(type, n.sum()));
        long confirmedTasks = confirmed.sum();
        long unconfirmed = sent.sum() - confirmedTasks - nacked.sum() - returned.sum() - failed.sum();
        double seconds = Math.max(1e-9, (lastConfirmNanos.get() - startNanos) / 1e9);
        LoadReport.Results answered = null;
        if (plan.awaitResults()) {
            answered = new LoadReport.Results(completed.sum(), deadLettered.sum(),
                    confirmedTasks - ledger.answeredConfirmed(), duplicates.sum(), unexpected.sum(),
                    waitedNanos / 1e9, LoadReport.Latency.of(endToEnd));
        }
        return new LoadReport(plan.queue(), plan.publishers(), plan.window(), plan.rate() > 0 ? plan.rate() : null,
                ordered, deadLetterTasks.sum(), sent.sum(), confirmedTasks, nacked.sum(), returned.sum(), failed.sum(),
                unconfirmed, seconds, confirmedTasks / seconds, plan.rate() > 0 ? maxLagNanos.get() / 1e9 : null,
                LoadReport.Latency.of(confirmLatency), answered);
    }

    /** Where results go to be counted; what the reader of a {@code --reply-queue} reports to. */
    ResultListener results() {
        return results;
    }

    /** Counts every result message: first results by status, later ones as duplicates. */
    private final class Results implements ResultListener {
        @Override
        public void resultArrived(String taskId, TaskResult result) {
            long n = ledger.sequenceOf(taskId);
            if (n < 0) {
                unexpected.increment();
                return;
            }
            if (ledger.arrived(n) == ResultLedger.Arrival.DUPLICATE) {
                duplicates.increment();
            } else if (TaskResult.SUCCEEDED.equals(result.status())) {
                completed.increment();
                endToEnd.recordValue(Math.max(0, (System.nanoTime() - ledger.publishedAt(n)) / 1000));
            } else if (TaskResult.DEAD_LETTERED.equals(result.status())) {
                deadLettered.increment();
            } else {
                unexpected.increment();
            }
        }

        @Override
        public void unreadableResult(String taskId, IOException error) {
            unexpected.increment();
        }
    }
}
