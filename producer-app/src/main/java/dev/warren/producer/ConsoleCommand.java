package dev.warren.producer;

import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.DurationConverter;
import dev.warren.cli.EventStreamOption;
import dev.warren.cli.ExitCodes;
import dev.warren.console.Console;
import dev.warren.console.ConsoleSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code console}: serves the operator web console until stopped (Ctrl-C, SIGTERM). */
@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the operator web console: Warren queues with their retry and dead-letter queues,"
                + " workers, the dead letters (filter, inspect, replay, move, export), and from the task-event stream"
                + " (--events-stream) each task type's counts and run times and any task's timeline. Sign in with a RabbitMQ"
                + " user: the console acts with that user's own credentials and permissions and has none of its"
                + " own, so the connection flags only say where the broker is (host, port, vhost, TLS); their user"
                + " and password are not used.",
            "docs/console.md describes the pages, the JSON API and the security model."})
final class ConsoleCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:WARREN_CONSOLE_PORT:-8080}",
            description = "TCP port to serve on (env WARREN_CONSOLE_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "${env:WARREN_CONSOLE_BIND:-127.0.0.1}",
            description = "Address to serve on (env WARREN_CONSOLE_BIND; default ${DEFAULT-VALUE}). Any other than a"
                    + " loopback address logs a warning unless --behind-tls: put TLS in front.")
    String bind;

    @Option(names = "--management-url", paramLabel = "URL",
            defaultValue = "${env:WARREN_MANAGEMENT_URL:-http://localhost:15672}",
            description = "Management API base URL (env WARREN_MANAGEMENT_URL; default ${DEFAULT-VALUE}).")
    URI managementUrl;

    @Option(names = "--behind-tls", negatable = true, defaultValue = "${env:WARREN_CONSOLE_BEHIND_TLS:-false}",
            fallbackValue = "true", description = "A TLS proxy serves the console: session cookies get Secure and the"
                    + " plain-HTTP warning is not logged (env WARREN_CONSOLE_BEHIND_TLS; default ${DEFAULT-VALUE}).")
    boolean behindTls;

    @Option(names = "--public-origin", paramLabel = "URL", defaultValue = "${env:WARREN_CONSOLE_PUBLIC_ORIGIN}",
            description = "The URL browsers reach the console at, such as https://console.example (scheme, host, optional"
                    + " port, no path), when a proxy in front rewrites the Host header: then the only origin a sign-in or"
                    + " action may come from (env WARREN_CONSOLE_PUBLIC_ORIGIN; default: the origin the Host header names).")
    URI publicOrigin;

    @Option(names = "--session-idle", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_CONSOLE_SESSION_IDLE:-30m}",
            description = "Sign a user out after this long without a request (env WARREN_CONSOLE_SESSION_IDLE;"
                    + " default ${DEFAULT-VALUE}).")
    Duration sessionIdle;

    @Mixin
    EventStreamOption events;

    @Override
    public Integer call() throws Exception {
        ConsoleSettings settings = new ConsoleSettings(bind, port, connection.toSettings("warren-console"),
                managementUrl, behindTls, sessionIdle, events.stream(), Optional.ofNullable(publicOrigin));
        CountDownLatch stopped = new CountDownLatch(1);
        Console console = Console.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            console.close();
            stopped.countDown();
        }, "console-shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }
}
