package dev.warren.producer;

import dev.warren.core.testing.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * producer-app never shows a password it was given (docs/reliability.md, "Credentials"): every
 * command, with the password in a file or in the URI, against a broker that refuses it, a broker
 * that is not there, a malformed URI and a management API that refuses it; stdout, stderr and
 * everything logged are searched for it. Successful runs with a distinctive password are in
 * {@link LeastPrivilegeTest}, which checks the same.
 */
class ProducerCredentialsTest {

    private static final String SECRET = "Zq7" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private static final String PASSWORD = SECRET + "-p@ss:w%rd/";

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    /** What one run returned, printed and logged. */
    record Run(int exitCode, String out, String err, String log) {

        String everything() {
            return out + "\n" + err + "\n" + log;
        }
    }

    @Test
    void aWrongPasswordFromAFileIsRefusedByEveryCommandWithoutShowingIt() throws Exception {
        Path file = Files.writeString(directory.resolve("password"), PASSWORD + "\n");
        String queue = queues.unique("cred-producer");
        for (List<String> command : commands()) {
            Run run = run(command, "--uri", "amqp://" + broker.host() + ":" + broker.port() + "/", "--username", "guest",
                    "--password-file", file.toString(), "--queue", queue, "--startup-timeout", "2s");

            assertThat(run.exitCode()).as("%s; stderr: %s", command, run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
            assertThat(run.err()).as("%s", command).contains("refused user 'guest'").doesNotContain("\tat ");
            assertThat(run.everything()).as("%s", command).doesNotContain(SECRET);
        }
    }

    @Test
    void anUnreachableBrokerNeverShowsThePasswordOfTheUri() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        for (List<String> command : commands()) {
            Run run = run(command, "--uri", "amqp://guest:" + encode(PASSWORD) + "@127.0.0.1:" + port + "/%2F",
                    "--queue", "cred-unreachable", "--startup-timeout", "1s");

            assertThat(run.exitCode()).as("%s; stderr: %s", command, run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
            assertThat(run.log()).as("%s logged the retries", command).contains("not reachable");
            assertThat(run.everything()).as("%s", command).doesNotContain(SECRET);
        }
    }

    @Test
    void aMalformedUriNeverShowsItsPassword() throws Exception {
        for (String uri : new String[] {"amqp://guest:" + PASSWORD + "@127.0.0.1/", "amqp://guest:" + encode(PASSWORD) + "@/",
            "amqp://guest:" + encode(PASSWORD) + " @127.0.0.1/", "https://guest:" + encode(PASSWORD) + "@127.0.0.1/"}) {
            Run run = run(List.of("send", "--type", "noop"), "--uri", uri, "--queue", "cred-malformed");

            assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).contains("AMQP URI").doesNotContain("\tat ");
            assertThat(run.everything()).doesNotContain(SECRET);
        }
    }

    @Test
    void theSafetyNetNeverShowsThePasswordTheManagementApiRefuses() throws Exception {
        String management = broker.management().map(api -> api.baseUri().toString()).orElse("http://127.0.0.1:15672");

        Run run = run(List.of("dlq", "safety-net", "--apply"), "--uri", "amqp://guest:" + encode(PASSWORD) + "@"
                + broker.host() + ":" + broker.port() + "/%2F", "--queue", "cred-safety-net", "--management-url", management);

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isNotZero();
        assertThat(run.err()).contains("401");
        assertThat(run.everything()).doesNotContain(SECRET);
    }

    @Test
    void helpShowsNoPassword() throws Exception {
        for (List<String> command : commands()) {
            Run run = run(command, "--uri", "amqp://guest:" + encode(PASSWORD) + "@127.0.0.1/", "--help");

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("--password-file");
            assertThat(run.everything()).doesNotContain(SECRET);
        }
    }

    /** Every producer-app command that connects, as argument lists. */
    private static List<List<String>> commands() {
        return List.of(List.of("send", "--type", "noop"), List.of("status"), List.of("dlq", "list"),
                List.of("dlq", "purge", "--yes"), List.of("load", "--count", "1", "--no-progress"));
    }

    private static Run run(List<String> command, String... options) throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = ExitCodes.commandLine(new ProducerApp()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        String[] args = new String[command.size() + options.length];
        for (int i = 0; i < command.size(); i++) {
            args[i] = command.get(i);
        }
        System.arraycopy(options, 0, args, command.size(), options.length);
        try (LogCapture log = LogCapture.all()) {
            int code = CompletableFuture.supplyAsync(() -> cli.execute(args)).get(60, TimeUnit.SECONDS);
            return new Run(code, out.toString(), err.toString(), log.text());
        }
    }

    private static String encode(String password) {
        return URLEncoder.encode(password, StandardCharsets.UTF_8);
    }
}
