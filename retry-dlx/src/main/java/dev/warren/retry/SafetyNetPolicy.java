package dev.warren.retry;

import dev.warren.core.spi.DeadLetterOnFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The optional safety net for a work queue {@code Q} that stays argument-free: a broker policy,
 * set through the management HTTP API, that dead-letters to {@code Q.dlq} whatever the broker
 * would otherwise drop from {@code Q} (a message rejected without requeue by a non-Warren
 * consumer, an expired per-message TTL). Warren itself never relies on it.
 *
 * <p>RabbitMQ applies one policy per queue (the highest priority wins), so an operator who
 * already has a policy matching {@code Q} should add the two keys to it instead.
 */
public final class SafetyNetPolicy {

    private final URI managementUri;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder()
            // HTTP/1.1: the management plugin closes the connection on an h2c upgrade with a request body.
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** A client for the management API at {@code managementUri} (e.g. {@code http://localhost:15672}). */
    public SafetyNetPolicy(URI managementUri, String username, String password) {
        this.managementUri = managementUri;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The policy's name for {@code queue}. */
    public static String policyName(String queue) {
        return "warren-safety-net-" + queue;
    }

    /** Sets (or updates) the policy for {@code queue} in {@code vhost}. */
    public void apply(String vhost, String queue) throws IOException {
        String body = "{\"pattern\":" + json("^" + regexQuote(queue) + "$")
                + ",\"apply-to\":\"queues\",\"priority\":0,\"definition\":{\"dead-letter-exchange\":\"\","
                + "\"dead-letter-routing-key\":" + json(DeadLetterOnFailure.deadLetterQueue(queue)) + "}}";
        send(HttpRequest.newBuilder(uri(vhost, queue)).PUT(HttpRequest.BodyPublishers.ofString(body)), "set");
    }

    /** Removes the policy for {@code queue}; removing a missing policy is not an error. */
    public void remove(String vhost, String queue) throws IOException {
        send(HttpRequest.newBuilder(uri(vhost, queue)).DELETE(), "remove");
    }

    private URI uri(String vhost, String queue) {
        return managementUri.resolve("/api/policies/" + encode(vhost) + "/" + encode(policyName(queue)));
    }

    private void send(HttpRequest.Builder request, String what) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", authorization)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        int status = response.statusCode();
        if (status >= 300 && !(status == 404 && "remove".equals(what))) {
            throw new IOException("cannot " + what + " policy through " + managementUri + ": HTTP " + status + " "
                    + response.body());
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Escapes regular-expression metacharacters so the pattern matches exactly {@code text}. */
    static String regexQuote(String text) {
        StringBuilder quoted = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.toString();
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
