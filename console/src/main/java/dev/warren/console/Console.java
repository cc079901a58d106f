package dev.warren.console;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator web console: serves the overview, workers, dead-letters, task types and task lookup pages and their JSON API
 * ({@code docs/console.md}) with the JDK's built-in HTTP server, one virtual thread per request.
 * Everything it shows or does, it does as the signed-in user.
 *
 * <p>{@link #start} binds and returns at once; {@link #close} stops serving and signs everyone out.
 */
public final class Console implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Console.class);
    private static final int STOP_DELAY_SECONDS = 1;
    private static final Duration MANAGEMENT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpServer server;
    private final Sessions sessions;
    private final ExecutorService executor;

    private Console(HttpServer server, Sessions sessions, ExecutorService executor) {
        this.server = server;
        this.sessions = sessions;
        this.executor = executor;
    }

    /**
     * Binds {@code settings.bind():settings.port()} and starts serving. Logs a warning when the
     * address is not a loopback one and the console is not behind TLS.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static Console start(ConsoleSettings settings) {
        return start(settings, Clock.systemUTC());
    }

    static Console start(ConsoleSettings settings, Clock clock) {
        Sessions sessions = new Sessions(clock, settings.sessionIdle());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(MANAGEMENT_CONNECT_TIMEOUT).build();
        Routes routes = new Routes();
        new SignIn(settings, http, sessions, new SignInThrottle(clock)).addTo(routes);
        new PageRoutes().addTo(routes);
        new StaticFiles().addTo(routes);
        new OverviewApi().addTo(routes);
        new WorkersApi().addTo(routes);
        // Before DeadLettersApi: its GET /api/dead-letters/{id} would take replay-matching for an id.
        new BulkReplayApi(clock).addTo(routes);
        new DeadLettersApi().addTo(routes);
        new TaskTypesApi(settings.eventsStream(), clock).addTo(routes);
        new TaskLookupApi(settings.eventsStream(), clock).addTo(routes);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(settings.bind()), settings.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the console on " + settings.bind() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", new ConsoleHttp(routes, sessions, settings));
        server.start();
        Console console = new Console(server, sessions, executor);
        String address = settings.bind() + ":" + console.port();
        if (!settings.behindTls() && !server.getAddress().getAddress().isLoopbackAddress()) {
            log.warn("serving over plain HTTP on {}: put TLS in front (a reverse proxy) and start the console with"
                    + " --behind-tls, or bind to 127.0.0.1; sign-in passwords and session cookies cross the network"
                    + " unencrypted", address);
        }
        log.info("console serving on http://{}/ (management API {})", address, settings.managementUrl());
        return console;
    }

    /** The port it serves on (the one picked when the settings asked for 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(STOP_DELAY_SECONDS);
        executor.close();
        sessions.close();
    }
}
