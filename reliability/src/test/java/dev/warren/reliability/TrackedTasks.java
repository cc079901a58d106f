package dev.warren.reliability;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ledger of a {@link TrackedLoad}: per task, whether its publish was confirmed or reported
 * failed, how many distinct results came back and the highest attempt number they carried.
 * Task ids are {@code tracked-<run>-<n>}, so a result leads straight to its slot and a result of
 * another run is recognised.
 *
 * <p>Thread-safe: the publishing thread, confirm callbacks and the result consumer update it
 * concurrently; a summary taken while they run is a consistent-enough snapshot per task.
 */
final class TrackedTasks {

    private static final int CONFIRMED = 1;
    private static final int FAILED = 2;

    private final String prefix;
    private final int count;
    private final AtomicIntegerArray settled;
    private final AtomicIntegerArray results;
    private final AtomicIntegerArray maxAttempts;
    /** Result message ids already counted: a result redelivered to the reader is the same message again. */
    private final Set<String> resultMessageIds = ConcurrentHashMap.newKeySet();
    private final LongAdder sent = new LongAdder();
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final Map<String, LongAdder> failureReasons = new ConcurrentHashMap<>();

    TrackedTasks(String runId, int count) {
        this.prefix = "tracked-" + runId + "-";
        this.count = count;
        this.settled = new AtomicIntegerArray(count);
        this.results = new AtomicIntegerArray(count);
        this.maxAttempts = new AtomicIntegerArray(count);
    }

    String idOf(int n) {
        return prefix + n;
    }

    /** The task number an id carries, or -1 for an id of no task of this run. */
    int sequenceOf(String id) {
        if (id == null || !id.startsWith(prefix)) {
            return -1;
        }
        try {
            int n = Integer.parseInt(id.substring(prefix.length()));
            return n >= 0 && n < count ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void sent() {
        sent.increment();
    }

    void confirmed(int n) {
        settled.accumulateAndGet(n, CONFIRMED, (a, b) -> a | b);
        confirmed.increment();
    }

    void failed(int n, String reason) {
        settled.accumulateAndGet(n, FAILED, (a, b) -> a | b);
        failed.increment();
        failureReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /**
     * Counts a result message for the task with {@code correlationId}, unless the message with
     * {@code messageId} was counted before.
     */
    void resultArrived(String messageId, String correlationId, int attempts, boolean deadLetteredResult) {
        if (messageId != null && !resultMessageIds.add(messageId)) {
            return;
        }
        int n = sequenceOf(correlationId);
        if (n < 0) {
            unexpected.increment();
            return;
        }
        maxAttempts.accumulateAndGet(n, attempts, Math::max);
        if (results.getAndIncrement(n) == 0 && deadLetteredResult) {
            deadLettered.increment();
        }
    }

    void unreadableResult() {
        unexpected.increment();
    }

    long sentCount() {
        return sent.sum();
    }

    long confirmedCount() {
        return confirmed.sum();
    }

    /** Distinct tasks with a result. */
    long answered() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            if (results.get(i) > 0) {
                n++;
            }
        }
        return n;
    }

    boolean allConfirmedAnswered() {
        for (int i = 0; i < count; i++) {
            if ((settled.get(i) & CONFIRMED) != 0 && results.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    Set<String> confirmedIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            if ((settled.get(i) & CONFIRMED) != 0) {
                ids.add(idOf(i));
            }
        }
        return ids;
    }

    Set<String> sentIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < sent.sum(); i++) {
            ids.add(idOf(i));
        }
        return ids;
    }

    TrackedLoad.Summary summarize(long maxOutstanding, int window, double maxPublishCallSeconds, double seconds) {
        long lost = 0;
        long answeredConfirmed = 0;
        long answeredUnconfirmed = 0;
        long duplicates = 0;
        long redelivered = 0;
        long unsettled = 0;
        int worstAttempts = 0;
        long sentTasks = sent.sum();
        for (int i = 0; i < count; i++) {
            int s = settled.get(i);
            int r = results.get(i);
            if (i < sentTasks && s == 0) {
                unsettled++;
            }
            if ((s & CONFIRMED) != 0) {
                if (r == 0) {
                    lost++;
                } else {
                    answeredConfirmed++;
                }
            } else if (r > 0) {
                answeredUnconfirmed++;
            }
            duplicates += Math.max(0, r - 1);
            if (maxAttempts.get(i) > 1) {
                redelivered++;
            }
            worstAttempts = Math.max(worstAttempts, maxAttempts.get(i));
        }
        Map<String, Long> reasons = new TreeMap<>();
        failureReasons.forEach((k, v) -> reasons.put(k, v.sum()));
        return new TrackedLoad.Summary(sentTasks, confirmed.sum(), failed.sum(), unsettled, answeredConfirmed,
                answeredUnconfirmed, lost, duplicates, redelivered, worstAttempts, deadLettered.sum(),
                unexpected.sum(), maxOutstanding, window, maxPublishCallSeconds, seconds, reasons);
    }
}
