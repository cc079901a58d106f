package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.testing.RabbitBroker;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sign-in against the real broker's management API: throttling of parallel guesses. */
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
}
