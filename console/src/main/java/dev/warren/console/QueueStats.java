package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One queue's numbers from the management API.
 *
 * @param name        queue name
 * @param ready       messages ready for delivery
 * @param unacked     messages delivered and not yet acknowledged
 * @param consumers   consumers
 * @param publishRate messages published into it per second
 * @param deliverRate messages delivered (or fetched) per second
 * @param ackRate     acknowledgements per second
 */
record QueueStats(String name, long ready, long unacked, int consumers, double publishRate, double deliverRate,
                  double ackRate) {

    static QueueStats of(JsonNode queue) {
        JsonNode stats = queue.path("message_stats");
        return new QueueStats(queue.path("name").asText(), queue.path("messages_ready").asLong(),
                queue.path("messages_unacknowledged").asLong(), queue.path("consumers").asInt(),
                stats.path("publish_details").path("rate").asDouble(), stats.path("deliver_get_details").path("rate").asDouble(),
                stats.path("ack_details").path("rate").asDouble());
    }
}
