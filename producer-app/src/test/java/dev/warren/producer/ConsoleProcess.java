package dev.warren.producer;

import static org.awaitility.Awaitility.await;

import dev.warren.core.testing.RabbitBroker;
import java.io.File;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code producer-app console} in a JVM of its own, on the test class path, on any free port, its output in a log. */
final class ConsoleProcess implements AutoCloseable {

    /** The heap it runs with. */
    static final String MAX_HEAP = "-Xmx256m";
    private static final Pattern SERVING = Pattern.compile("console serving on http://([^/ ]+)/");

    private final Process process;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

    private ConsoleProcess(Process process, URI base) {
        this.process = process;
        this.base = base;
    }

    /** Starts the console against {@code broker}, logging to {@code log}, and waits until it serves. */
    static ConsoleProcess start(RabbitBroker broker, Path log) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String management = broker.management().orElseThrow().baseUri().toString();
        List<String> command = List.of(java, MAX_HEAP, "-cp", System.getProperty("java.class.path"),
                ProducerApp.class.getName(), "console", "--port", "0", "--uri", broker.amqpUri(),
                "--management-url", management);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(key -> key.startsWith("WARREN_"));
        Process process = builder.start();
        try {
            String address = await().atMost(Duration.ofSeconds(60)).until(() -> serving(log), a -> a != null);
            return new ConsoleProcess(process, URI.create("http://" + address));
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    Process process() {
        return process;
    }

    URI base() {
        return base;
    }

    /** An HTTP client that keeps the console's cookies. */
    HttpClient http() {
        return http;
    }

    /** Signs in as {@code user} through the JSON API; returns the response (its body holds the CSRF token). */
    HttpResponse<String> signIn(String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static String serving(Path log) throws Exception {
        Matcher m = SERVING.matcher(Files.readString(log));
        return m.find() ? m.group(1) : null;
    }
}
