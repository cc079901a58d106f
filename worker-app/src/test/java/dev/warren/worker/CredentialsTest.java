package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.BrokerAccess;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The broker password never shows (docs/reliability.md, "Credentials"): a user with a distinctive
 * password on a private node, given as a password file, in the environment or in the URI; the
 * worker runs (in this JVM with Warren's loggers at TRACE and amqp-client's at DEBUG, and as a real
 * worker-app process with the password only in its environment) or fails (wrong password,
 * unreachable broker, malformed URI, missing file); and nothing it prints, logs, throws or serves on
 * {@code /metrics} and {@code /health} contains the password. Also: {@code --metrics-bind} binds
 * where told.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CredentialsTest {

    private static final String USER = "warren-cred";
    /** The part of every password used here that survives URI encoding: what must never show. */
    private static final String SECRET = "Zq7" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private static final String PASSWORD = SECRET + "-p@ss:w%rd/";
    private static final String WRONG_SECRET = "Wx9" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private static final String WRONG_PASSWORD = WRONG_SECRET + "-p@ss";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path directory;

    private PrivateRabbitNode node;
    private final List<WorkerProcess> processes = new ArrayList<>();
    private final Map<String, Level> levels = new java.util.HashMap<>();

    @BeforeAll
    void startNode() {
        node = PrivateRabbitNode.builder().build();
        node.start();
        BrokerAccess access = BrokerAccess.of(node);
        access.addUser(USER, PASSWORD);
        access.setPermissions("/", USER, ".*", ".*", ".*");
        for (String name : new String[] {"dev.warren", "com.rabbitmq"}) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            levels.put(name, logger.getLevel());
            logger.setLevel(name.equals("dev.warren") ? Level.TRACE : Level.DEBUG);
        }
    }

    @AfterAll
    void stopNode() {
        levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void killProcesses() throws InterruptedException {
        for (WorkerProcess process : processes) {
            process.close();
        }
        processes.clear();
    }

    @Test
    void aPasswordFileWorksAndThePasswordShowsNowhere() throws Exception {
        String queue = TestQueues.unique("cred-file");
        int port = freePort();
        List<String> served = new ArrayList<>();

        WorkerRun run = WorkerRun.consuming(() -> served.addAll(processAndScrape(queue, "127.0.0.2", port)),
                "--demo", "--uri", "amqp://127.0.0.1:" + node.port() + "/", "--username", USER,
                "--password-file", passwordFile(PASSWORD + "\n").toString(), "--queue", queue,
                "--metrics-port", String.valueOf(port), "--metrics-bind", "127.0.0.2");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("as '" + USER + "'").contains("worker stopped: processed 1 tasks");
        assertNowhere(SECRET, run.everything(), String.join("\n", served));
    }

    @Test
    void aPasswordInTheUriWorksAndShowsNowhere() throws Exception {
        String queue = TestQueues.unique("cred-uri");
        int port = freePort();
        List<String> served = new ArrayList<>();

        WorkerRun run = WorkerRun.consuming(() -> served.addAll(processAndScrape(queue, "127.0.0.1", port)),
                "--demo", "--uri", "amqp://" + USER + ":" + encode(PASSWORD) + "@127.0.0.1:" + node.port() + "/%2F",
                "--queue", queue, "--metrics-port", String.valueOf(port));

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("amqp://" + USER + ":****@127.0.0.1:" + node.port());
        assertNowhere(SECRET, run.everything(), String.join("\n", served));
    }

    @Test
    void aPasswordFileWinsOverTheUrisPasswordAndNeitherShows() throws Exception {
        String queue = TestQueues.unique("cred-both");

        WorkerRun run = WorkerRun.consuming(() -> { },
                "--demo", "--uri", "amqp://" + USER + ":" + encode(WRONG_PASSWORD) + "@127.0.0.1:" + node.port() + "/%2F",
                "--password-file", passwordFile(PASSWORD).toString(), "--queue", queue);

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("consuming '" + queue + "'");
        assertNowhere(SECRET, run.everything());
        assertNowhere(WRONG_SECRET, run.everything());
    }

    @Test
    void aWrongPasswordFromAFileIsRefusedWithoutShowingIt() throws Exception {
        WorkerRun run = WorkerRun.ending("--demo", "--uri", "amqp://127.0.0.1:" + node.port() + "/", "--username", USER,
                "--password-file", passwordFile(WRONG_PASSWORD).toString(), "--queue", TestQueues.unique("cred-wrong"),
                "--startup-timeout", "5s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err()).contains("refused user '" + USER + "'").doesNotContain("\tat ");
        assertNowhere(WRONG_SECRET, run.everything());
    }

    @Test
    void anUnreachableBrokerWithAPasswordFileNeverShowsIt() throws Exception {
        WorkerRun run = WorkerRun.ending("--demo", "--uri", "amqp://127.0.0.1:" + freePort() + "/", "--username", USER,
                "--password-file", passwordFile(PASSWORD).toString(), "--queue", TestQueues.unique("cred-unreachable"),
                "--startup-timeout", "1s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.log()).contains("not reachable");
        assertNowhere(SECRET, run.everything());
    }

    @Test
    void malformedUrisNeverShowThePassword() throws Exception {
        String encoded = encode(PASSWORD);
        for (String uri : new String[] {
            "amqp://" + USER + ":" + PASSWORD + "@127.0.0.1:" + node.port() + "/",      // raw '@', ':', '%' and '/'
            "amqp://" + USER + ":" + encoded + " x@127.0.0.1/",                        // a space
            "http://" + USER + ":" + encoded + "@127.0.0.1/",                          // not AMQP
            "amqp://" + USER + ":" + encoded + "@/",                                   // no host
            "amqp://" + USER + ":" + encoded + "@[::1/",                               // broken IPv6 literal
        }) {
            WorkerRun run = WorkerRun.ending("--demo", "--uri", uri, "--queue", TestQueues.unique("cred-malformed"),
                    "--startup-timeout", "1s");

            assertThat(run.exitCode()).as("exit code for %s; stderr: %s", uri.replace(SECRET, "<secret>"), run.err())
                    .isIn(ExitCodes.USAGE, ExitCodes.BROKER_UNAVAILABLE);
            assertThat(run.err()).as("stderr for a malformed URI").doesNotContain("\tat ");
            assertNowhere(SECRET, run.everything());
        }
    }

    @Test
    void aMissingPasswordFileNamesTheFileAndExitsTwo() throws Exception {
        Path missing = directory.resolve("no-such-password-file");

        WorkerRun run = WorkerRun.ending("--uri", "amqp://127.0.0.1:" + node.port() + "/", "--username", USER,
                "--password-file", missing.toString(), "--queue", TestQueues.unique("cred-missing"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("password file " + missing).doesNotContain("\tat ");
    }

    @Test
    void helpNeverShowsPasswordsFromTheEnvironment() throws Exception {
        WorkerProcess help = start(Map.of("WARREN_AMQP_PASSWORD", PASSWORD, "WARREN_AMQP_USERNAME", USER,
                "WARREN_AMQP_URI", "amqp://" + USER + ":" + encode(WRONG_PASSWORD) + "@127.0.0.1/%2F",
                "WARREN_AMQP_PASSWORD_FILE", passwordFile(PASSWORD).toString()), "--help");

        assertThat(help.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(help.log()).contains("--password-file").contains("WARREN_AMQP_PASSWORD");
        assertNowhere(SECRET, help.log());
        assertNowhere(WRONG_SECRET, help.log());
    }

    @Test
    void aWorkerProcessWithThePasswordInItsEnvironmentRunsAndNeverShowsIt() throws Exception {
        String queue = TestQueues.unique("cred-env");
        int port = freePort();
        WorkerProcess worker = start(Map.of("WARREN_AMQP_URI", "amqp://127.0.0.1:" + node.port() + "/",
                "WARREN_AMQP_USERNAME", USER, "WARREN_AMQP_PASSWORD", PASSWORD, "WARREN_LOG_LEVEL", "TRACE",
                "WARREN_QUEUE", queue, "WARREN_METRICS_PORT", String.valueOf(port), "WARREN_DEMO", "true"));
        worker.awaitLog("consuming '" + queue + "'", Duration.ofSeconds(60));

        List<String> served = processAndScrape(queue, "127.0.0.1", port);
        worker.process().destroy();                                          // SIGTERM

        assertThat(worker.awaitExit(Duration.ofSeconds(30))).as("exit code; output:%n%s", worker.log()).isZero();
        assertThat(worker.log()).contains("as '" + USER + "'").contains("processed 1 tasks");
        assertThat(worker.process().info().arguments().map(List::of).orElse(List.of()).toString()).doesNotContain(SECRET);
        assertNowhere(SECRET, worker.log(), String.join("\n", served));
    }

    @Test
    void aWorkerProcessWithAWrongPasswordFileInItsEnvironmentFailsWithoutShowingIt() throws Exception {
        WorkerProcess worker = start(Map.of("WARREN_AMQP_URI", "amqp://127.0.0.1:" + node.port() + "/",
                "WARREN_AMQP_USERNAME", USER, "WARREN_AMQP_PASSWORD_FILE", passwordFile(WRONG_PASSWORD).toString(),
                "WARREN_LOG_LEVEL", "TRACE", "WARREN_QUEUE", TestQueues.unique("cred-env-wrong"), "WARREN_DEMO", "true"));

        assertThat(worker.awaitExit(Duration.ofSeconds(60))).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(worker.log()).contains("refused user '" + USER + "'");
        assertNowhere(WRONG_SECRET, worker.log());
    }

    /**
     * Publishes a noop task to the worker, waits until {@code /metrics} counts it, and returns what
     * {@code /metrics} and {@code /health} served; checks the endpoint answers only on {@code bind}.
     */
    private List<String> processAndScrape(String queue, String bind, int port) throws Exception {
        try (Connection connection = node.broker().connect("warren-cred-test");
             Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    "{\"task_type\": \"noop\"}".getBytes(StandardCharsets.UTF_8));
        }
        URI base = URI.create("http://" + bind + ":" + port);
        String counted = "warren_tasks_total{outcome=\"succeeded\",queue=\"" + queue + "\",task_type=\"noop\"} 1.0";
        await("the task in /metrics").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> get(base.resolve("/metrics")).contains(counted));
        if (!bind.equals("127.0.0.1")) {
            assertThatThrownBy(() -> get(URI.create("http://127.0.0.1:" + port + "/metrics")))
                    .as("the endpoint answers on 127.0.0.1 although bound to %s", bind)
                    .isInstanceOf(ConnectException.class);
        }
        return List.of(get(base.resolve("/metrics")), get(base.resolve("/health")));
    }

    private static void assertNowhere(String secret, String... texts) {
        for (String text : texts) {
            assertThat(text).as("output, logs and metrics").isNotEmpty().doesNotContain(secret);
        }
    }

    private WorkerProcess start(Map<String, String> environment, String... args) throws IOException {
        WorkerProcess process = WorkerProcess.start(directory, "cred-" + processes.size(), environment, args);
        processes.add(process);
        return process;
    }

    private Path passwordFile(String content) throws IOException {
        Path file = Files.createTempFile(directory, "password-", "");
        Files.writeString(file, content);
        return file;
    }

    private static String encode(String password) {
        return URLEncoder.encode(password, StandardCharsets.UTF_8);
    }

    private static String get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
