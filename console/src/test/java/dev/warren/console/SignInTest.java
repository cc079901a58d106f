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

/** Sign-in against the real broker's management API: throttling of parallel guesses, where it leads after. */
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
}
