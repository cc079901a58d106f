package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console's security model over plain HTTP against the real broker: sign-in checked by the
 * broker, session cookie attributes, CSRF and cross-origin refusals, the permission rule for
 * replay, sign-out.
 */
class ConsoleSecurityTest {

    private static final String PASSWORD = "s3cret-Pa55word";

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final BrokerUsers users = new BrokerUsers(broker);
    private Console console;
    private ConsoleClient client;
    private String queue;

    @BeforeEach
    void start() throws Exception {
        console = Console.start(settings(broker).withPort(0));
        client = new ConsoleClient(console);
        queue = queues.unique("console-security");
        try (Connection connection = broker.connect("console-security-test"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(queue + ".dlq", true, false, false, null);
            channel.confirmSelect();
            channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().messageId("letter-1").type("noop")
                    .headers(Map.of("x-warren-error", "java.lang.IllegalStateException", "x-warren-error-message",
                            "relay down")).build(), "{}".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    @AfterEach
    void stop() throws Exception {
        console.close();
        users.deleteAll();
    }

    static ConsoleSettings settings(RabbitBroker broker) {
        return ConsoleSettings.of(AmqpSettings.of(broker.amqpUri()), broker.management().orElseThrow().baseUri());
    }

    @Test
    void wrongPasswordIsRefusedWith401FromTheApiAndTheFormAgain() throws Exception {
        HttpResponse<String> api = client.signIn("guest", "not-the-password");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(ConsoleClient.json(api).path("error").asText()).isEqualTo("wrong user name or password");

        HttpResponse<String> form = client.postForm("/sign-in", Map.of("user", "guest", "password", "not-the-password"));
        assertThat(form.statusCode()).isEqualTo(401);
        assertThat(form.body()).contains("wrong user name or password").contains("id=\"sign-in-form\"")
                .doesNotContain("not-the-password");
        assertThat(form.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(client.get("/api/overview").statusCode()).isEqualTo(401);
    }

    @Test
    void fiveWrongPasswordsLockTheUserNameEvenForTheRightOneWith429() throws Exception {
        String user = users.create("console-guessed", PASSWORD, "", ".*", ".*");
        for (int i = 1; i <= SignInThrottle.FREE_FAILURES; i++) {
            assertThat(client.signIn(user, "guess-" + i).statusCode()).as("wrong password %d", i).isEqualTo(401);
        }

        HttpResponse<String> locked = client.signIn(user, PASSWORD);
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(ConsoleClient.json(locked).path("error").asText())
                .startsWith("too many failed sign-ins as '" + user + "': try again in ");
        HttpResponse<String> form = client.postForm("/sign-in", Map.of("user", user, "password", PASSWORD));
        assertThat(form.statusCode()).isEqualTo(429);
        assertThat(form.body()).contains("too many failed sign-ins").contains("id=\"sign-in-form\"");
        assertThat(client.signIn("guest", "guest").statusCode()).as("another user name").isEqualTo(200);
    }

    @Test
    void sessionCookieIsHttpOnlyAndSameSiteStrictAndThePasswordIsInNoPage() throws Exception {
        String user = users.create("console-operator", PASSWORD, "", ".*", ".*");
        HttpResponse<String> signIn = client.postForm("/sign-in", Map.of("user", user, "password", PASSWORD));

        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Location")).contains("/overview");
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(ConsoleHttp.SESSION_COOKIE + "=").contains("; HttpOnly").contains("; SameSite=Strict")
                .contains("; Path=/").doesNotContain("Secure").doesNotContain(PASSWORD);
        for (String path : List.of("/overview", "/workers", "/dead-letters", "/api/session", "/api/overview",
                "/api/dead-letters?queue=" + queue)) {
            HttpResponse<String> page = client.get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.body()).as(path).doesNotContain(PASSWORD);
        }
    }

    @Test
    void cookieIsSecureWhenTheConsoleIsBehindTls() throws Exception {
        try (Console behindTls = Console.start(settings(broker).withPort(0).withBehindTls(true))) {
            HttpResponse<String> signIn = new ConsoleClient(behindTls).signIn("guest", "guest");
            assertThat(signIn.statusCode()).isEqualTo(200);
            assertThat(signIn.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");
        }
    }

    @Test
    void stateChangingRequestWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));

        HttpResponse<String> forged = client.postJson("/api/dead-letters/replay", replay("letter-1"), Map.of());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(ConsoleClient.json(forged).path("error").asText()).contains("CSRF");
        HttpResponse<String> wrong = client.postJson("/api/dead-letters/replay", replay("letter-1"),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf + "x"));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(messages(queue + ".dlq")).isEqualTo(1);

        HttpResponse<String> allowed = client.postJson("/api/dead-letters/replay", replay("letter-1"),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(ConsoleClient.json(allowed).path("replayed").asInt()).isEqualTo(1);
        assertThat(messages(queue + ".dlq")).isZero();
        assertThat(messages(queue)).isEqualTo(1);
    }

    @Test
    void crossOriginRequestIsRefusedEvenWithTheCsrfToken() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));

        HttpResponse<String> response = client.postJson("/api/dead-letters/replay", replay("letter-1"),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf, "Origin", "http://evil.example"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(ConsoleClient.json(response).path("error").asText()).contains("cross-origin");
        assertThat(messages(queue + ".dlq")).isEqualTo(1);
    }

    @Test
    void behindAProxyThatRewritesHostSignInFromTheUrlBrowsersUseIsRefusedWithWhatToDo() throws Exception {
        HttpResponse<String> signIn = client.postJson("/api/session", JsonNodeFactory.instance.objectNode()
                .put("user", "guest").put("password", "guest"), Map.of("Origin", "https://console.example"));

        assertThat(signIn.statusCode()).isEqualTo(403);
        assertThat(ConsoleClient.json(signIn).path("error").asText())
                .startsWith("cross-origin request from https://console.example refused")
                .contains("--public-origin https://console.example").contains("proxy_set_header Host $host;");
    }

    @Test
    void publicOriginIsTheOnlyOriginAcceptedWhateverTheHostHeader() throws Exception {
        try (Console proxied = Console.start(settings(broker).withPort(0).withBehindTls(true)
                .withPublicOrigin(URI.create("https://console.example")))) {
            ConsoleClient behindProxy = new ConsoleClient(proxied);
            ObjectNode guest = JsonNodeFactory.instance.objectNode().put("user", "guest").put("password", "guest");

            HttpResponse<String> fromPublic = behindProxy.postJson("/api/session", guest, Map.of("Origin", "https://console.example"));
            assertThat(fromPublic.statusCode()).isEqualTo(200);
            HttpResponse<String> fromHost = behindProxy.postJson("/api/session", guest,
                    Map.of("Origin", "https://127.0.0.1:" + proxied.port()));
            assertThat(fromHost.statusCode()).isEqualTo(403);
            assertThat(ConsoleClient.json(fromHost).path("error").asText())
                    .contains("accepts only its --public-origin https://console.example");
        }
    }

    @Test
    void readOnlyUserSeesDeadLettersButMayNotReplayThem() throws Exception {
        String user = users.create("console-reader", PASSWORD, "", "", ".*");
        String csrf = ConsoleClient.csrfToken(client.signIn(user, PASSWORD));

        HttpResponse<String> list = client.get("/api/dead-letters?queue=" + queue);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(ConsoleClient.json(list).path("may_replay").asBoolean(true)).isFalse();
        assertThat(ConsoleClient.json(list).path("items").get(0).path("id").asText()).isEqualTo("letter-1");

        HttpResponse<String> replay = client.postJson("/api/dead-letters/replay", replay("letter-1"),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf));
        assertThat(replay.statusCode()).isEqualTo(403);
        assertThat(ConsoleClient.json(replay).path("error").asText()).contains("amq.default");
        assertThat(messages(queue + ".dlq")).isEqualTo(1);
    }

    @Test
    void userWithReadAndWriteButNoConfigurePermissionReplays() throws Exception {
        String user = users.create("console-operator", PASSWORD, "", ".*", ".*");
        String csrf = ConsoleClient.csrfToken(client.signIn(user, PASSWORD));

        HttpResponse<String> list = client.get("/api/dead-letters?queue=" + queue);
        assertThat(ConsoleClient.json(list).path("may_replay").asBoolean(false)).isTrue();
        HttpResponse<String> replay = client.postJson("/api/dead-letters/replay", replay("letter-1"),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf));

        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(ConsoleClient.json(replay).path("replayed").asInt()).isEqualTo(1);
        assertThat(messages(queue + ".dlq")).isZero();
        assertThat(messages(queue)).isEqualTo(1);
    }

    @Test
    void signOutEndsTheSession() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));
        assertThat(client.get("/api/overview").statusCode()).isEqualTo(200);

        HttpResponse<String> withoutToken = client.postForm("/sign-out", Map.of());
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        HttpResponse<String> signOut = client.postForm("/sign-out", Map.of(ConsoleHttp.CSRF_FIELD, csrf));

        assertThat(signOut.statusCode()).isEqualTo(303);
        assertThat(signOut.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(client.get("/api/overview").statusCode()).isEqualTo(401);
        assertThat(client.get("/overview").headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(URI.create(location).getPath()).isEqualTo("/sign-in"));
    }

    @Test
    void signingInAgainEndsThePreviousSessionAndNeedsNoCsrfToken() throws Exception {
        HttpResponse<String> first = client.signIn("guest", "guest");
        String oldCookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

        HttpResponse<String> second = client.signIn("guest", "guest");

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0]).isNotEqualTo(oldCookie);
        HttpResponse<String> withOldCookie = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                client.base().resolve("/api/overview")).header("Cookie", oldCookie).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withOldCookie.statusCode()).isEqualTo(401);
        assertThat(client.get("/api/overview").statusCode()).isEqualTo(200);
    }

    private ObjectNode replay(String id) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("queue", queue);
        body.putArray("ids").add(id);
        return body;
    }

    private int messages(String name) throws Exception {
        try (Connection connection = broker.connect("console-security-check"); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name).getMessageCount();
        }
    }
}
