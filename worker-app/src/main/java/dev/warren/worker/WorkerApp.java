package dev.warren.worker;

import dev.warren.cli.ExitCodes;

/** Entry point of {@code worker-app.jar}. */
public final class WorkerApp {

    private WorkerApp() {
    }

    public static void main(String[] args) {
        System.exit(ExitCodes.commandLine(new WorkerCommand()).execute(args));
    }
}
