package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.config.AmqpSettings;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.events.EventsSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sign-in against the real broker's management API: throttling of parallel guesses, where it leads
 * after, and the errors it names.
 */
class SignInTest {

    private final RabbitBroker broker = RabbitBroker.shared();
    private Console console;
    private ConsoleClient client;

    @BeforeEach
    void start() {
        console = Console.start(ConsoleSecurityTest.settings(broker).withPort(0));
        client = new ConsoleClient(console);
    }

    @AfterEach
    void stop() {
        console.close();
    }

    @Test
    void parallelWrongPasswordsForOneNameReachTheBrokerAtMostFiveTimes() throws Exception {
        String user = "console-guessed-" + UUID.randomUUID().toString().substring(0, 8);
        int guesses = 60;
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < guesses; i++) {
            String body = "{\"user\": \"" + user + "\", \"password\": \"guess-" + i + "\"}";
            sent.add(http.sendAsync(HttpRequest.newBuilder(client.base().resolve("/api/session"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Long> statuses = sent.stream().map(CompletableFuture::join)
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));

        System.out.println("statuses of " + guesses + " parallel wrong sign-ins as " + user + ": " + statuses);
        assertThat(statuses.keySet()).containsOnly(401, 429);
        assertThat(statuses.get(401)).as("answered by the broker").isLessThanOrEqualTo(SignInThrottle.FREE_FAILURES);
        assertThat(statuses.get(429)).as("refused without asking it").isGreaterThanOrEqualTo(guesses - SignInThrottle.FREE_FAILURES);
        assertThat(client.signIn(user, "one-more").statusCode()).isEqualTo(429);
    }

    @Test
    void afterSignInOnlyAPathOfTheConsoleIsFollowedNeverAnotherHost() throws Exception {
        for (String next : List.of("/\t/evil.example", "//evil.example", "/\\evil.example", "/\r\nX", "/ /evil.example",
                "https://evil.example/")) {
            HttpResponse<String> signIn = client.postForm("/sign-in", Map.of("user", "guest", "password", "guest", "next", next));
            assertThat(signIn.statusCode()).as(next).isEqualTo(303);
            assertThat(signIn.headers().firstValue("Location")).as(next).contains("/overview");
        }
        HttpResponse<String> good = client.postForm("/sign-in",
                Map.of("user", "guest", "password", "guest", "next", "/dead-letters?queue=q"));
        assertThat(good.headers().firstValue("Location")).contains("/dead-letters?queue=q");

        client.postForm("/sign-out", Map.of(ConsoleHttp.CSRF_FIELD, ConsoleClient.csrfToken(client.get("/api/session"))));
        HttpResponse<String> form = client.get("/sign-in?next=/%09/evil.example");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("name=\"next\" value=\"/overview\"").doesNotContain("evil.example");
    }

    @Test
    void malformedJsonIsTheClientsMistake400NotABrokerFailure() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.base().resolve("/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"user\": guest")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(response).path("error").asText()).startsWith("request body is not valid JSON: ");
    }

    @Test
    void managementApiDownIsNamedWithItsAddressInTheApiAndTheFormAndLocksNoOne() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String managementUrl = "http://127.0.0.1:" + closedPort;
        ConsoleSettings down = new ConsoleSettings(ConsoleSettings.DEFAULT_BIND, 0, AmqpSettings.of(broker.amqpUri()),
                URI.create(managementUrl), false, ConsoleSettings.DEFAULT_SESSION_IDLE, EventsSettings.DEFAULT_STREAM,
                Optional.empty());
        try (Console unreachable = Console.start(down)) {
            ConsoleClient signingIn = new ConsoleClient(unreachable);
            for (int i = 0; i <= SignInThrottle.FREE_FAILURES; i++) {
                HttpResponse<String> api = signingIn.signIn("guest", "guest");
                assertThat(api.statusCode()).as("attempt %d", i + 1).isEqualTo(502);
                assertThat(ConsoleClient.json(api).path("error").asText())
                        .startsWith("the broker or its management API failed: cannot reach the management API at "
                                + managementUrl + ": ")
                        .containsIgnoringCase("connection refused").doesNotContain("null");
            }

            HttpResponse<String> form = signingIn.postForm("/sign-in", Map.of("user", "guest", "password", "guest"));
            assertThat(form.statusCode()).isEqualTo(502);
            assertThat(form.headers().firstValue("Content-Type")).contains(Reply.HTML_TYPE);
            assertThat(form.body()).contains("id=\"sign-in-form\"")
                    .contains("cannot reach the management API at " + managementUrl);
        }
    }
}
