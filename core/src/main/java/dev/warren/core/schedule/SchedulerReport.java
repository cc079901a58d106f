package dev.warren.core.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.wire.TaskHeaders;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the active replica's {@link SchedulerStatus} to the group's status queue, whose
 * {@code x-max-length} of 1 with {@code drop-head} keeps only the latest. Best effort: a status
 * that fails to publish is logged and replaced by the next one.
 */
final class SchedulerReport {

    private static final Logger log = LoggerFactory.getLogger(SchedulerReport.class);

    private final TaskPublisher publisher;
    private final RouteTable routes;
    private final SchedulerSettings settings;
    private final ObjectMapper mapper;

    SchedulerReport(TaskPublisher publisher, RouteTable routes, SchedulerSettings settings, ObjectMapper mapper) {
        this.publisher = publisher;
        this.routes = routes;
        this.settings = settings;
        this.mapper = mapper;
    }

    void publish(LeaderState state, Collection<ScheduledTask> schedules, Instant now) {
        Instant since = state.leadingSince();
        if (since == null) {
            return;
        }
        List<SchedulerStatus.Entry> entries = schedules.stream().map(task -> entry(state, task)).toList();
        SchedulerStatus status = new SchedulerStatus(settings.group(), settings.replicaName(), since.toString(),
                now.toString(), entries);
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the scheduler status", e);
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType(TaskHeaders.CONTENT_TYPE).appId(TaskHeaders.APP_ID).deliveryMode(2).build();
        publisher.publishRaw(settings.statusQueue(), properties, body).whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("scheduler status to '{}' not published: {}", settings.statusQueue(),
                        AmqpConnections.describe(error));
            }
        });
    }

    /** The queue {@code task}'s firings go to: its own, else the route of its type. */
    static String queueOf(ScheduledTask task, RouteTable routes) {
        return task.queue() != null ? task.queue() : routes.queueFor(task.type().name());
    }

    private SchedulerStatus.Entry entry(LeaderState state, ScheduledTask task) {
        var progress = state.progress(task.name());
        String lastDue = progress.map(SchedulerToken.Progress::lastDue).orElse(null);
        String lastFiredAt = progress.map(SchedulerToken.Progress::lastFiredAt).orElse(null);
        Instant next = progress.map(p -> task.when().nextAfter(p.lastDueInstant())).orElse(null);
        return new SchedulerStatus.Entry(task.name(), task.type().name(), queueOf(task, routes), task.when().describe(),
                task.misfire().describe(), lastDue, lastFiredAt, next == null ? null : next.toString());
    }
}
