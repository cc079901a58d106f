package dev.warren.worker;

/**
 * Entry point of {@code worker-app.jar}: {@link WarrenWorker} with no task modules of its own,
 * so it runs those named in services files and, with {@code --demo}, the demo's.
 */
public final class WorkerApp {

    private WorkerApp() {
    }

    public static void main(String[] args) {
        WarrenWorker.runAndExit(args);
    }
}
