package dev.warren.events;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the task events that were dropped, by {@link Reason} (the metrics module exports them as
 * {@code warren_events_dropped_total{reason}}), and logs an outage once: one warning when events
 * start being dropped, one line when they flow again. Thread-safe and non-blocking.
 */
public final class EventDrops {

    private static final Logger log = LoggerFactory.getLogger(EventDrops.class);

    /** Why events were dropped; {@link #label()} is the metric's {@code reason} tag. */
    public enum Reason {
        /** The in-memory buffer was full: the stream is slower than the worker, or unreachable. */
        BUFFER_FULL,
        /** No connection or channel to the broker (down, recovering, or the channel closed). */
        UNAVAILABLE,
        /** The broker refused the stream: access refused, or it exists with other arguments. */
        REFUSED,
        /** The broker answered {@code basic.nack}. */
        NACKED,
        /**
         * The broker returned the message as unroutable: the stream was deleted. The publisher
         * declares it again with the next events.
         */
        UNROUTABLE,
        /** Still buffered or unconfirmed when the flush at shutdown ran out of time. */
        SHUTDOWN;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** The lower-case name used as the metric's {@code reason} tag. */
        public String label() {
            return label;
        }
    }

    private final String stream;
    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
    // True while events flow: the first drop after that logs the warning, the first confirm after a drop the recovery.
    private final AtomicBoolean flowing = new AtomicBoolean(true);
    private final LongAdder sinceOutage = new LongAdder();

    public EventDrops(String stream) {
        this.stream = stream;
        for (Reason reason : Reason.values()) {
            counts.put(reason, new LongAdder());
        }
    }

    /** Counts {@code n} events dropped for {@code reason}; logs a warning if events were flowing until now. */
    void dropped(Reason reason, long n, String why) {
        if (n <= 0) {
            return;
        }
        counts.get(reason).add(n);
        if (flowing.compareAndSet(true, false)) {
            sinceOutage.reset();
            sinceOutage.add(n);
            log.warn("task events to stream '{}' are being dropped ({}: {}); tasks go on unaffected, drops are counted"
                    + " in warren_events_dropped_total, and a line says when events flow again", stream,
                    reason.label(), why);
        } else {
            sinceOutage.add(n);
        }
    }

    /** An event was confirmed by the broker; logs once that events flow again after an outage. */
    void confirmed() {
        if (!flowing.get() && flowing.compareAndSet(false, true)) {
            log.info("task events flow again to stream '{}' ({} dropped meanwhile)", stream, sinceOutage.sumThenReset());
        }
    }

    /** Events dropped for {@code reason} since start. */
    public long count(Reason reason) {
        return counts.get(reason).sum();
    }

    /** Events dropped for any reason since start. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
