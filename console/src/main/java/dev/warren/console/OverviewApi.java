package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.spi.DeadLetterOnFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/overview}: each Warren work queue with its retry queues and dead-letter queue,
 * and the summed throughput of the work queues over the last minutes from the management API's
 * own samples. A work queue is a queue {@code q} for which {@code q.dlq} exists; its retry queues
 * are {@code q.retry.*}. Only queues the signed-in user may see are listed.
 */
final class OverviewApi {

    static final String RETRY_INFIX = ".retry.";
    /** The chart's span and step, in seconds: the management API keeps 5 s samples for 10 minutes. */
    static final int CHART_SECONDS = 300;
    static final int CHART_STEP_SECONDS = 10;

    /** A work queue with its retry queues and dead-letter queue. */
    record WarrenQueue(QueueStats work, List<QueueStats> retries, QueueStats dlq) {
    }

    /** Messages per second summed over the work queues, for the interval ending at {@code time} (epoch millis). */
    record Throughput(long time, double publish, double deliver, double ack) {
    }

    record Overview(String vhost, List<WarrenQueue> queues, List<Throughput> throughput) {
    }

    void addTo(Routes routes) {
        routes.add("GET", "/api/overview", Routes.Access.API, request -> Reply.json(read(request.session().broker())));
    }

    /** Whether {@code name} is a Warren work queue among the vhost's queues {@code names}: {@code name.dlq} is one of them. */
    static boolean isWorkQueue(String name, Set<String> names) {
        return !name.contains(RETRY_INFIX) && names.contains(DeadLetterOnFailure.deadLetterQueue(name));
    }

    Overview read(UserBroker broker) throws IOException {
        JsonNode listed = broker.management().get("/api/queues/" + ManagementClient.segment(broker.vhost())
                + "?msg_rates_age=" + CHART_SECONDS + "&msg_rates_incr=" + CHART_STEP_SECONDS);
        Map<String, JsonNode> byName = new TreeMap<>();
        listed.forEach(queue -> byName.put(queue.path("name").asText(), queue));
        List<WarrenQueue> queues = new ArrayList<>();
        Map<Long, double[]> rates = new TreeMap<>();
        for (String name : byName.keySet()) {
            if (!isWorkQueue(name, byName.keySet())) {
                continue;
            }
            JsonNode dlq = byName.get(DeadLetterOnFailure.deadLetterQueue(name));
            List<QueueStats> retries = byName.entrySet().stream().filter(e -> e.getKey().startsWith(name + RETRY_INFIX))
                    .map(e -> QueueStats.of(e.getValue())).toList();
            queues.add(new WarrenQueue(QueueStats.of(byName.get(name)), retries, QueueStats.of(dlq)));
            JsonNode stats = byName.get(name).path("message_stats");
            addRates(rates, stats.path("publish_details").path("samples"), 0);
            addRates(rates, stats.path("deliver_get_details").path("samples"), 1);
            addRates(rates, stats.path("ack_details").path("samples"), 2);
        }
        List<Throughput> throughput = new ArrayList<>();
        rates.forEach((time, r) -> throughput.add(new Throughput(time, r[0], r[1], r[2])));
        return new Overview(broker.vhost(), queues, throughput);
    }

    /** Adds the per-second rates between consecutive cumulative samples (newest first) to {@code rates[time][column]}. */
    private static void addRates(Map<Long, double[]> rates, JsonNode samples, int column) {
        Map<Long, Long> counts = new HashMap<>();
        samples.forEach(s -> counts.put(s.path("timestamp").asLong(), s.path("sample").asLong()));
        List<Long> times = new ArrayList<>(new TreeMap<>(counts).keySet());
        for (int i = 1; i < times.size(); i++) {
            long time = times.get(i);
            double seconds = (time - times.get(i - 1)) / 1000.0;
            double rate = Math.max(0, counts.get(time) - counts.get(times.get(i - 1))) / seconds;
            rates.computeIfAbsent(time, t -> new double[3])[column] += rate;
        }
    }
}
