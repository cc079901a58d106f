package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** worker-app's {@code --metrics-port}: the real command serves /metrics and /health while it runs, and stops serving when it stops. */
class WorkerMetricsEndpointTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** A thread per command run, so a run that hangs never holds up the next test's. */
    private static final Executor OWN_THREAD = command -> Thread.ofPlatform().daemon().start(command);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @Test
    void theWorkerServesMetricsAndHealthOnItsMetricsPortUntilItStops() throws Exception {
        String queue = queues.unique("app-metrics");
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        var command = new WorkerCommand();
        CompletableFuture<Integer> exit = start(command,
                "--demo", "--uri", RabbitBroker.shared().amqpUri(), "--queue", queue, "--metrics-port", String.valueOf(port));
        try {
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> get(base.resolve("/health")).statusCode() == 200);
            publish(queue, "{\"task_type\": \"noop\"}");
            String processed = "warren_tasks_total{outcome=\"succeeded\",queue=\"" + queue + "\",task_type=\"noop\"} 1.0";
            await().atMost(TIMEOUT).until(() -> get(base.resolve("/metrics")).body().contains(processed));
            assertThat(get(base.resolve("/metrics")).body())
                    .contains("warren_queue_messages{queue=\"" + queue + ".dlq\"}")
                    .contains("warren_tasks_in_flight{queue=\"" + queue + "\"} 0.0");
        } finally {
            command.requestStop();
        }
        assertThat(exit.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isZero();
        assertThatThrownBy(() -> get(base.resolve("/health"))).isInstanceOf(ConnectException.class);
    }

    @Test
    void whileTheBrokerIsRetriedAtStartHealthAnswers503AndMetricsAnswers() throws Exception {
        int brokerPort = freePort(); // closed: nothing listens, the worker retries until its startup timeout
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        var command = new WorkerCommand();
        CompletableFuture<Integer> exit = start(command, "--demo", "--uri", "amqp://guest:guest@127.0.0.1:" + brokerPort + "/",
                "--queue", queues.unique("app-metrics-starting"), "--startup-timeout", "30s",
                "--metrics-port", String.valueOf(port));
        try {
            await().atMost(TIMEOUT).ignoreException(ConnectException.class)
                    .until(() -> get(base.resolve("/health")).statusCode() == 503);
            HttpResponse<String> health = get(base.resolve("/health"));
            HttpResponse<String> metrics = get(base.resolve("/metrics"));

            assertThat(exit).as("the worker is still retrying the broker").isNotDone();
            assertThat(health.body()).contains("DOWN").contains("0 of 1 consumers registered");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("warren_tasks_in_flight");
        } finally {
            command.requestStop();
        }
        exit.get(60, TimeUnit.SECONDS);
    }

    @Test
    void whileTheWorkerDrainsHealthAnswers503AndMetricsAnswers() throws Exception {
        String queue = queues.unique("app-metrics-draining");
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        var command = new WorkerCommand();
        CompletableFuture<Integer> exit = start(command, "--demo", "--uri", RabbitBroker.shared().amqpUri(),
                "--queue", queue, "--shutdown-timeout", "60s", "--metrics-port", String.valueOf(port));
        try {
            await().atMost(TIMEOUT).ignoreException(ConnectException.class)
                    .until(() -> get(base.resolve("/health")).statusCode() == 200);
            publish(queue, "{\"task_type\": \"sleep\", \"ms\": 8000}");
            String running = "warren_tasks_in_flight{queue=\"" + queue + "\"} 1.0";
            await().atMost(TIMEOUT).until(() -> get(base.resolve("/metrics")).body().contains(running));

            command.requestStop(); // stop() now waits for the sleeping task
            await().atMost(TIMEOUT).until(() -> get(base.resolve("/health")).statusCode() == 503);
            HttpResponse<String> metrics = get(base.resolve("/metrics"));

            assertThat(exit).as("the worker is still draining").isNotDone();
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains(running);
        } finally {
            command.requestStop();
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aMetricsPortInUseExitsTwoNamingThePort() throws Exception {
        try (var busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            var err = new StringWriter();
            var command = new WorkerCommand();
            CommandLine cli = ExitCodes.commandLine(command).setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
                    "--demo", "--uri", RabbitBroker.shared().amqpUri(), "--queue", queues.unique("app-metrics-busy"),
                    "--metrics-port", String.valueOf(busy.getLocalPort())));
            try {
                assertThat(exit.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(ExitCodes.USAGE);
            } finally {
                command.requestStop();
            }
            assertThat(err.toString()).contains("metrics endpoint cannot listen on 127.0.0.1:" + busy.getLocalPort())
                    .contains("--metrics-port").doesNotContain("\tat ");
        }
    }

    /** Runs {@code command} with {@code args} as the command line does, on a thread of its own; returns its exit code. */
    private static CompletableFuture<Integer> start(WorkerCommand command, String... args) {
        CommandLine cli = ExitCodes.commandLine(command);
        return CompletableFuture.supplyAsync(() -> cli.execute(args), OWN_THREAD);
    }

    /** Publishes {@code body} to {@code queue} as a bare pika producer would. */
    private static void publish(String queue, String body) throws Exception {
        try (Connection connection = RabbitBroker.shared().connect("warren-test-app-metrics");
             Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
