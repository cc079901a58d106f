package dev.warren.worker;

import dev.warren.cli.ExitCodes;
import dev.warren.core.task.TaskModule;
import java.util.List;

/**
 * A Warren worker in one call, for a team that wants its own {@code main}: everything
 * {@code worker-app} does — its flags and {@code WARREN_*} variables, the retry ladder, the
 * metrics endpoint, graceful stop on SIGTERM/SIGINT, its exit codes — with the team's task
 * modules added to those found in services files ({@code --tasks}, the class path) and, with
 * {@code --demo}, the demo's.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     WarrenWorker.runAndExit(args, new ImageTasks(ImageStoreConfig.fromEnvironment()));
 * }
 * }</pre>
 *
 * A module passed here may have a constructor with arguments; a module class given here and also
 * listed in a services file runs once, as given. Depend on the {@code dev.warren:worker-app}
 * artifact (the plain jar with its dependencies), not on the shaded {@code worker-app.jar}.
 */
public final class WarrenWorker {

    private WarrenWorker() {
    }

    /**
     * Runs the worker with {@code args} until SIGTERM or SIGINT (handled for the duration of the
     * call, the previous handlers restored after) or until it cannot go on, and returns the exit
     * code ({@link ExitCodes}: 0 stopped, 2 bad settings, 3 broker unreachable or access refused,
     * 4 a queue exists with other arguments). Errors are printed to stderr, one line for the
     * known ones. Blocks the calling thread.
     */
    public static int run(String[] args, TaskModule... modules) {
        // Before Guice loads: no runtime bytecode generation (Warren uses no AOP), which also
        // avoids sun.misc.Unsafe warnings on JDK 24+. A value the caller set wins.
        if (System.getProperty("guice_bytecode_gen_option") == null) {
            System.setProperty("guice_bytecode_gen_option", "DISABLED");
        }
        WorkerCommand command = new WorkerCommand(List.of(modules));
        Runnable restoreSignals = StopSignals.onTermOrInt(command::requestStop);
        try {
            return ExitCodes.commandLine(command).execute(args);
        } finally {
            restoreSignals.run();
        }
    }

    /** {@link #run} then {@link System#exit} with its exit code: the body of a team's {@code main}. */
    public static void runAndExit(String[] args, TaskModule... modules) {
        System.exit(run(args, modules));
    }
}
