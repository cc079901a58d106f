package dev.warren.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.wire.TaskResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A load whose every task is tracked by id, with results sent to a <em>durable</em> result
 * queue, for scenarios that take the load's own connection away (broker restart, broker gone).
 *
 * <p>Why not {@code producer-app load --await-results} there: load asks for results through
 * RabbitMQ's direct reply-to, whose address is tied to the publishing channel. A task queued
 * before a broker restart runs after it and its worker publishes the result to an address whose
 * channel is gone; the broker drops it, and load counts the task as missing although it ran. A
 * durable queue {@code <queue>.results} keeps such results (the worker publishes them persistent,
 * {@code mandatory} and confirmed before it acks the task), so here "lost" means lost.
 *
 * <p>Publishing uses Warren's own {@link TaskPublisher} (confirms, {@code mandatory}) on one
 * thread, on a fixed schedule ({@code rate}) and with at most {@code window} publishes awaiting a
 * confirm, like load. Every publish settles once: confirmed, or failed (its future failed: the
 * caller was told). Results are read with manual acks on a recovering connection; a result
 * redelivered to this reader (same result message id) is not counted twice. The per-task
 * accounting lives in {@link TrackedTasks}.
 *
 * <p>Thread-safe where it must be: publish callbacks and the result consumer run on amqp-client
 * threads; the getters may be called from the test thread while the load runs.
 */
public final class TrackedLoad implements AutoCloseable {

    private final String queue;
    private final int count;
    private final double rate;
    private final String type;
    private final ObjectNode payload;
    private final String resultQueue;
    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private final TrackedTasks tasks;
    private final AmqpConnections connections;
    private final TaskPublisher publisher;
    private final ExecutorService consumerThreads = Executors.newFixedThreadPool(2);
    private final Semaphore window;
    private final int windowSize;
    private final AtomicLong maxOutstanding = new AtomicLong();
    private final AtomicLong maxPublishCallNanos = new AtomicLong();
    private volatile Thread publishing;
    private volatile long startNanos;
    private volatile boolean stopping;

    private TrackedLoad(Builder b) {
        this.queue = b.queue;
        this.count = b.count;
        this.rate = b.rate;
        this.type = b.type;
        this.payload = b.payload;
        this.resultQueue = b.queue + ".results";
        this.windowSize = b.window;
        this.window = new Semaphore(b.window);
        String runId = Long.toHexString(ThreadLocalRandom.current().nextLong());
        this.tasks = new TrackedTasks(runId, b.count);
        Injector injector = Guice.createInjector(new CoreModule(
                AmqpSettings.builder(b.uri).connectionName("warren-tracked-load-" + runId).build(),
                RouteTable.allTo(queue)));
        this.connections = injector.getInstance(AmqpConnections.class);
        this.publisher = injector.getInstance(TaskPublisher.class);
    }

    /** A load of tasks to {@code queue} on the broker at {@code uri}; {@link Builder#start()} runs it. */
    public static Builder builder(String uri, String queue) {
        return new Builder(uri, queue);
    }

    /** The durable queue results go to: {@code <queue>.results}. */
    public String resultQueue() {
        return resultQueue;
    }

    /** Tasks handed to the publisher so far. */
    public long sent() {
        return tasks.sentCount();
    }

    /** Publishes awaiting a confirm at worst so far: never above the window. */
    public long maxOutstanding() {
        return maxOutstanding.get();
    }

    /** Publishes awaiting a confirm right now, as the publisher counts them. */
    public int outstandingNow() {
        return publisher.outstandingConfirms();
    }

    /** Confirmed tasks so far. */
    public long confirmed() {
        return tasks.confirmedCount();
    }

    /** Distinct tasks with a result so far. */
    public long answered() {
        return tasks.answered();
    }

    /** The ids of the tasks the broker confirmed so far. */
    public Set<String> confirmedIds() {
        return tasks.confirmedIds();
    }

    /** The ids of every task handed to the publisher so far, confirmed or not. */
    public Set<String> sentIds() {
        return tasks.sentIds();
    }

    /** Whether every task has been handed to the publisher (or sending was stopped). */
    public boolean doneSending() {
        Thread t = publishing;
        return t != null && !t.isAlive();
    }

    /**
     * Stops handing tasks to the publisher after the current one; {@link #await} and the summary
     * then count only the tasks sent. For a load that should last exactly as long as its faults.
     */
    public void stopSending() {
        stopping = true;
    }

    /**
     * Waits until every publish is settled and every confirmed task has a result (at most
     * {@code timeout}), listens {@code grace} longer for duplicates, and summarizes.
     */
    public Summary await(Duration timeout, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        publishing.join(Math.max(1, timeout.toMillis()));
        while (System.nanoTime() < deadline && !(window.availablePermits() == windowSize && tasks.allConfirmedAnswered())) {
            Thread.sleep(50);
        }
        long finished = System.nanoTime();
        Thread.sleep(grace.toMillis());
        return summarize(finished);
    }

    /**
     * Waits until every task was handed to the publisher and every publish is settled (at most
     * {@code timeout}), without waiting for results, and summarizes: for loads without workers.
     */
    public Summary awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        publishing.join(Math.max(1, timeout.toMillis()));
        while (System.nanoTime() < deadline && window.availablePermits() < windowSize) {
            Thread.sleep(50);
        }
        return summarize(System.nanoTime());
    }

    private Summary summarize(long finishedNanos) {
        return tasks.summarize(maxOutstanding.get(), windowSize, maxPublishCallNanos.get() / 1e9,
                (finishedNanos - startNanos) / 1e9);
    }

    private void startResults() throws IOException {
        Channel channel = connections.consuming(consumerThreads).createChannel();
        channel.queueDeclare(resultQueue, true, false, false, null);
        channel.basicQos(500);
        channel.basicConsume(resultQueue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                accept(properties, body);
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
    }

    private void accept(AMQP.BasicProperties properties, byte[] body) {
        try {
            JsonNode result = mapper.readTree(body);
            tasks.resultArrived(properties.getMessageId(), properties.getCorrelationId(),
                    result.path("attempts").asInt(1), TaskResult.DEAD_LETTERED.equals(result.path("status").asText()));
        } catch (IOException e) {
            tasks.unreadableResult();
        }
    }

    private void publishAll() {
        for (int n = 0; n < count && !stopping; n++) {
            if (rate > 0) {
                long due = startNanos + (long) (n * 1e9 / rate);
                long left;
                while ((left = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(left);
                }
            }
            try {
                window.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            maxOutstanding.accumulateAndGet(Math.max(windowSize - window.availablePermits(),
                    publisher.outstandingConfirms()), Math::max);
            int task = n;
            OutgoingTask outgoing = new OutgoingTask(tasks.idOf(n), type, payload, queue, null, resultQueue, null);
            long called = System.nanoTime();
            CompletableFuture<Void> confirm = publisher.publish(outgoing);
            maxPublishCallNanos.accumulateAndGet(System.nanoTime() - called, Math::max);
            tasks.sent();
            confirm.whenComplete((ok, error) -> {
                try {
                    if (error == null) {
                        tasks.confirmed(task);
                    } else {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        tasks.failed(task, cause instanceof PublishException p ? p.reason().name()
                                : cause.getClass().getSimpleName());
                    }
                } finally {
                    window.release();
                }
            });
        }
    }

    /** Stops publishing (if still running) and closes the connections. */
    @Override
    public void close() {
        stopping = true;
        connections.close();
        consumerThreads.shutdownNow();
    }

    /**
     * What happened to the tracked tasks.
     *
     * @param sent                 publishes attempted
     * @param confirmed            confirmed by the broker
     * @param failed               reported failed to the caller (the future failed); may or may not have arrived
     * @param unsettled            publishes neither confirmed nor failed when the wait ended (must be 0)
     * @param answered             confirmed tasks with at least one result
     * @param answeredUnconfirmed  failed publishes that arrived after all and ran (allowed: "may or may not")
     * @param lost                 confirmed tasks without any result: the number that must be 0
     * @param duplicates           results beyond the first per task (distinct result messages)
     * @param redelivered          tasks whose result says attempts &gt; 1 (counted a redelivery or retry)
     * @param maxAttempts          the highest attempt number in any result
     * @param deadLettered         tasks whose first result says dead_lettered
     * @param unexpected           results for tasks of no run of this load, unreadable ones
     * @param maxOutstanding       publishes awaiting a confirm at worst
     * @param window               the cap on outstanding publishes
     * @param maxPublishCallSeconds the longest a single publish call blocked the caller
     * @param seconds              from the first publish until every confirmed task had its result
     * @param failureReasons       failed publishes by reason
     */
    public record Summary(long sent, long confirmed, long failed, long unsettled, long answered,
                          long answeredUnconfirmed, long lost, long duplicates, long redelivered, int maxAttempts,
                          long deadLettered, long unexpected, long maxOutstanding, int window,
                          double maxPublishCallSeconds, double seconds, Map<String, Long> failureReasons) {

        /** One line with every count, for the test's report. */
        public String line() {
            return String.format(Locale.ROOT, "sent=%d confirmed=%d failed=%d%s unsettled=%d answered=%d"
                    + " answered_unconfirmed=%d lost=%d duplicates=%d redelivered=%d max_attempts=%d"
                    + " dead_lettered=%d unexpected=%d max_outstanding=%d/%d max_publish_call=%.2fs duration=%.1fs",
                    sent, confirmed, failed, failureReasons.isEmpty() ? "" : failureReasons.toString(), unsettled,
                    answered, answeredUnconfirmed, lost, duplicates, redelivered, maxAttempts, deadLettered,
                    unexpected, maxOutstanding, window, maxPublishCallSeconds, seconds);
        }
    }

    /** Settings of a {@link TrackedLoad}. */
    public static final class Builder {

        private final String uri;
        private final String queue;
        private int count = 1000;
        private double rate;
        private int window = 100;
        private String type = "noop";
        private ObjectNode payload = CoreModule.newObjectMapper().createObjectNode();

        private Builder(String uri, String queue) {
            this.uri = uri;
            this.queue = queue;
        }

        /** Tasks to send; default 1000. */
        public Builder count(int n) {
            this.count = n;
            return this;
        }

        /** Tasks per second on a fixed schedule; default 0, as fast as the window allows. */
        public Builder rate(double perSecond) {
            this.rate = perSecond;
            return this;
        }

        /** Publishes awaiting a confirm at most; default 100. */
        public Builder window(int n) {
            this.window = n;
            return this;
        }

        /** Every task's type and payload; default {@code noop} with no fields. */
        public Builder task(String taskType, ObjectNode taskPayload) {
            this.type = taskType;
            this.payload = taskPayload;
            return this;
        }

        /**
         * Connects, declares the durable result queue, starts reading results and starts
         * publishing on a thread of its own; returns at once.
         */
        public TrackedLoad start() {
            TrackedLoad load = new TrackedLoad(this);
            try {
                load.startResults();
            } catch (IOException e) {
                load.close();
                throw new UncheckedIOException("cannot read results from " + load.resultQueue, e);
            }
            load.startNanos = System.nanoTime();
            load.publishing = Thread.ofPlatform().name("tracked-load").daemon().start(load::publishAll);
            return load;
        }
    }

    @Override
    public String toString() {
        return "TrackedLoad[" + queue + ", " + count + " tasks" + (rate > 0 ? " at " + rate + "/s" : "") + "]";
    }
}
