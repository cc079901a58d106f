package dev.warren.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.producer.ProducerApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * Runs the real load generator, {@code producer-app load}, in this JVM through its picocli
 * command line (exactly what {@code java -jar producer-app.jar load ...} runs, minus
 * {@code System.exit}), with {@code --json --no-progress} added, and reads its summary.
 *
 * <pre>{@code
 * LoadDriver.Run load = LoadDriver.start(List.of("--uri", node.amqpUri(), "--queue", queue,
 *         "--count", "3000", "--rate", "300", "--await-results", "--timeout", "90s"));
 * node.restart();                           // the fault, while load runs
 * LoadSummary summary = load.await(Duration.ofMinutes(3));
 * }</pre>
 *
 * <p>Each run gets its own command object, injector and connection ({@code warren-load@<pid>}),
 * so runs may overlap. With {@code --await-results} alone, results come back through RabbitMQ's
 * direct reply-to, which is tied to the load's publishing channel: a result published after that
 * channel died (a broker restart, a cut connection) is dropped by the broker, so load counts its
 * task as missing although it ran. Scenarios that take the load's connection away pass
 * {@code --reply-queue NAME} (a durable result queue) or count with {@link TrackedLoad}.
 */
public final class LoadDriver {

    static {
        // As ProducerApp.main does before Guice loads.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
    }

    private static final ObjectMapper MAPPER = CoreModule.newObjectMapper();

    private LoadDriver() {
    }

    /** Runs {@code load args... --json --no-progress} and waits for it, at most {@code timeout}. */
    public static LoadSummary run(List<String> args, Duration timeout) {
        return start(args).await(timeout);
    }

    /** Starts {@code load args... --json --no-progress} on a thread of its own and returns at once. */
    public static Run start(List<String> args) {
        List<String> all = new ArrayList<>();
        all.add("load");
        all.addAll(args);
        all.add("--json");
        all.add("--no-progress");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofPlatform().name("load-driver").daemon().start(() -> {
            try {
                CommandLine cli = ExitCodes.commandLine(new ProducerApp());
                cli.setOut(new PrintWriter(out, true));
                cli.setErr(new PrintWriter(err, true));
                exit.complete(cli.execute(all.toArray(String[]::new)));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        return new Run(all, exit, out, err);
    }

    /** A load that is running. */
    public static final class Run {

        private final List<String> command;
        private final CompletableFuture<Integer> exit;
        private final StringWriter out;
        private final StringWriter err;

        private Run(List<String> command, CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
            this.command = command;
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        public boolean isDone() {
            return exit.isDone();
        }

        /** Waits for the load to finish and reads its summary; fails if it does not finish in time. */
        public LoadSummary await(Duration timeout) {
            int code;
            try {
                code = exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("load did not finish within " + timeout + ": " + String.join(" ", command)
                        + "\nstderr so far:\n" + err, e);
            } catch (ExecutionException e) {
                throw new AssertionError("load threw: " + String.join(" ", command), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for load", e);
            }
            return LoadSummary.parse(code, out.toString(), err.toString(), MAPPER);
        }
    }
}
