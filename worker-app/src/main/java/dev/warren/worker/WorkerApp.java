package dev.warren.worker;

import dev.warren.cli.ExitCodes;

/** Entry point of {@code worker-app.jar}. */
public final class WorkerApp {

    private WorkerApp() {
    }

    public static void main(String[] args) {
        WorkerCommand command = new WorkerCommand();
        StopSignals.onTermOrInt(command::requestStop);
        System.exit(ExitCodes.commandLine(command).execute(args));
    }
}
