package dev.warren.console;

import dev.warren.core.testing.RabbitBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Test users on the shared broker, created through the management API as {@code guest} with the
 * permissions a test asks for in vhost {@code /}, and deleted by {@link #deleteAll()}.
 */
final class BrokerUsers {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI management;
    private final List<String> created = new ArrayList<>();

    BrokerUsers(RabbitBroker broker) {
        this.management = broker.management().orElseThrow(() -> new AssertionError(
                "the console tests need the broker's management API (rabbitmq-plugins enable rabbitmq_management)"))
                .baseUri();
    }

    /**
     * Creates {@code <prefix>-<8 hex>} with password {@code password}, the management tag and these
     * permission patterns in vhost {@code /}; returns its name.
     */
    String create(String prefix, String password, String configure, String write, String read) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        put("/api/users/" + name, "{\"password\":\"" + password + "\",\"tags\":\"management\"}");
        created.add(name);
        put("/api/permissions/%2F/" + name, "{\"configure\":\"" + configure + "\",\"write\":\"" + write
                + "\",\"read\":\"" + read + "\"}");
        return name;
    }

    void deleteAll() throws Exception {
        for (String name : created) {
            send(HttpRequest.newBuilder(URI.create(management + "/api/users/" + name)).DELETE());
        }
        created.clear();
    }

    private void put(String path, String json) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(management + path))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
        if (response.statusCode() / 100 != 2) {
            throw new IOException("PUT " + path + " failed: HTTP " + response.statusCode() + " " + response.body());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        String guest = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        return http.send(request.header("Authorization", "Basic " + guest).build(), HttpResponse.BodyHandlers.ofString());
    }
}
