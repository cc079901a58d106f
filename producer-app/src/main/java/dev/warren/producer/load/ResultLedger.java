package dev.warren.producer.load;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the load generator knows about each task it sent, for exact result accounting: when it was
 * published, whether the broker confirmed it, and how many results came back for it.
 *
 * <p>Task ids are UUIDs that carry the task's sequence number: a random run prefix in the high 64
 * bits and the number in the low bits (with the IETF variant bits), so a result's
 * {@code correlation_id} leads straight to its slot and a result for a task of another run is
 * recognised. Slots live in primitive arrays of 65,536 tasks, created as the run reaches them:
 * 12 bytes per task instead of a map entry per task, so a run of millions of tasks with
 * {@code --await-results} stays small.
 *
 * <p>Thread-safe: publisher threads, confirm callbacks and the reply consumer update it
 * concurrently. A task counts as answered once both its confirm and its first result arrived, in
 * either order (a worker may answer before the broker confirms the publish).
 */
final class ResultLedger {

    /** How the arrival of a result was counted. */
    enum Arrival {
        /** The first result for a task of this run. */
        FIRST,
        /** A further result for a task that was already answered. */
        DUPLICATE,
        /** A result for a task this run did not send. */
        FOREIGN
    }

    private static final int CHUNK_BITS = 16;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    private static final int MAX_CHUNKS = 1 << 15;
    /** Largest sequence number a ledger holds (about 2.1 billion tasks). */
    static final long MAX_TASKS = (long) CHUNK_SIZE * MAX_CHUNKS;
    private static final long VARIANT = 0x8000_0000_0000_0000L;
    private static final long VARIANT_MASK = 0xC000_0000_0000_0000L;
    /** State bit: the broker confirmed the publish. The low 16 bits count results (saturating). */
    private static final int CONFIRMED = 1 << 16;
    private static final int RESULTS = CONFIRMED - 1;

    /** One block of slots. */
    private record Chunk(AtomicLongArray publishedAt, AtomicIntegerArray state) {
        Chunk() {
            this(new AtomicLongArray(CHUNK_SIZE), new AtomicIntegerArray(CHUNK_SIZE));
        }
    }

    private final long runBits;
    private final AtomicReferenceArray<Chunk> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);
    private final LongAdder answeredConfirmed = new LongAdder();

    ResultLedger() {
        // Version 4 like a random UUID, so ids look like any other message id.
        this.runBits = (ThreadLocalRandom.current().nextLong() & ~0xF000L) | 0x4000L;
    }

    /** The message id of the n-th task. */
    String idOf(long n) {
        return new UUID(runBits, VARIANT | n).toString();
    }

    /** The sequence number a task id carries, or -1 if it is not an id of this run. */
    long sequenceOf(String taskId) {
        if (taskId == null || taskId.length() != 36) {
            return -1;
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(taskId);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        long low = uuid.getLeastSignificantBits();
        if (uuid.getMostSignificantBits() != runBits || (low & VARIANT_MASK) != VARIANT) {
            return -1;
        }
        long n = low & ~VARIANT_MASK;
        return n < MAX_TASKS && chunks.get((int) (n >>> CHUNK_BITS)) != null ? n : -1;
    }

    /** Notes that the n-th task is being published at {@code nanos} ({@link System#nanoTime()}). */
    void published(long n, long nanos) {
        chunk(n).publishedAt().set(slot(n), nanos);
    }

    /** Notes the broker's confirm of the n-th task. */
    void confirmed(long n) {
        int before = chunk(n).state().getAndAdd(slot(n), CONFIRMED);
        if ((before & RESULTS) > 0 && (before & CONFIRMED) == 0) {
            answeredConfirmed.increment();
        }
    }

    /**
     * Notes a result for the n-th task.
     *
     * @return {@link Arrival#FIRST} for its first result, {@link Arrival#DUPLICATE} after that
     */
    Arrival arrived(long n) {
        AtomicIntegerArray state = chunk(n).state();
        int slot = slot(n);
        int before;
        int after;
        do {
            before = state.get(slot);
            // Saturate the result count rather than spill into the confirmed bit.
            after = (before & RESULTS) == RESULTS ? before : before + 1;
        } while (!state.compareAndSet(slot, before, after));
        if ((before & RESULTS) > 0) {
            return Arrival.DUPLICATE;
        }
        if ((before & CONFIRMED) != 0) {
            answeredConfirmed.increment();
        }
        return Arrival.FIRST;
    }

    /** When the n-th task was published ({@link System#nanoTime()}). */
    long publishedAt(long n) {
        return chunk(n).publishedAt().get(slot(n));
    }

    /** Confirmed tasks that have their first result. */
    long answeredConfirmed() {
        return answeredConfirmed.sum();
    }

    private Chunk chunk(long n) {
        if (n < 0 || n >= MAX_TASKS) {
            throw new IllegalArgumentException("task number " + n + " is outside 0.." + (MAX_TASKS - 1));
        }
        int index = (int) (n >>> CHUNK_BITS);
        Chunk chunk = chunks.get(index);
        if (chunk == null) {
            Chunk created = new Chunk();
            chunk = chunks.compareAndExchange(index, null, created);
            if (chunk == null) {
                chunk = created;
            }
        }
        return chunk;
    }

    private static int slot(long n) {
        return (int) (n & (CHUNK_SIZE - 1));
    }
}
