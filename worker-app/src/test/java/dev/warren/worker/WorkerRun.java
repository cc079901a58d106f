package dev.warren.worker;

import dev.warren.core.testing.LogCapture;
import static org.awaitility.Awaitility.await;

import dev.warren.cli.ExitCodes;
import dev.warren.core.task.TaskModule;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * One run of the {@code worker-app} command in this JVM, through picocli as on the command line:
 * its exit code, its stdout and stderr, and everything logged meanwhile (stack traces included).
 *
 * @param exitCode what the command returned
 * @param out      its standard output
 * @param err      its standard error
 * @param log      every log line of the run
 */
record WorkerRun(int exitCode, String out, String err, String log) {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What a test does while the worker consumes. */
    @FunctionalInterface
    interface WhileRunning {
        void run() throws Exception;
    }

    /** Stdout, stderr and the log in one text, for searching. */
    String everything() {
        return out + "\n" + err + "\n" + log;
    }

    /** Runs a command that is expected to end by itself (help, a bad setting, a broker that refuses). */
    static WorkerRun ending(String... args) throws Exception {
        return run(List.of(), null, TIMEOUT, args);
    }

    /** Like {@link #ending(String...)}, also running {@code modules} as {@link WarrenWorker#run} does. */
    static WorkerRun endingWith(List<TaskModule> modules, String... args) throws Exception {
        return run(modules, null, TIMEOUT, args);
    }

    /** Like {@link #ending(String...)}, failing when the command has not ended within {@code timeout}. */
    static WorkerRun endingWithin(Duration timeout, String... args) throws Exception {
        return run(List.of(), null, timeout, args);
    }

    /**
     * Runs the worker until it consumes, runs {@code whileRunning}, then stops it as SIGTERM would.
     * If the command ends before consuming, returns how it ended without running {@code whileRunning}.
     */
    static WorkerRun consuming(WhileRunning whileRunning, String... args) throws Exception {
        return run(List.of(), whileRunning, TIMEOUT, args);
    }

    private static WorkerRun run(List<TaskModule> modules, WhileRunning whileRunning, Duration timeout, String... args)
            throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var command = new WorkerCommand(modules);
        CommandLine cli = ExitCodes.commandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        try (LogCapture log = LogCapture.all()) {
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
            try {
                if (whileRunning != null) {
                    await("the worker to consume or end").atMost(timeout)
                            .until(() -> exit.isDone() || log.text().contains("consuming '"));
                    if (!exit.isDone()) {
                        try {
                            whileRunning.run();
                        } finally {
                            command.requestStop();
                        }
                    }
                }
                int code = exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new WorkerRun(code, out.toString(), err.toString(), log.text());
            } finally {
                command.requestStop();
            }
        }
    }
}
