package com.example.images;

import dev.warren.worker.WarrenWorker;

/**
 * The other way to run the module: a team's own {@code main}, with everything worker-app does
 * (flags, {@code WARREN_*} variables, retry ladder, metrics, graceful stop), for a module that
 * takes constructor arguments. It needs {@code dev.warren:worker-app} as a dependency, which this
 * example has at test scope only, so it lives here; docs/task-authors.md shows it.
 */
public final class ImageWorker {

    private ImageWorker() {
    }

    public static void main(String[] args) {
        ImageStore store = new PretendImageStore();               // the team's real store, configured
        WarrenWorker.runAndExit(args, new ImageTasks(store));     // WarrenWorker.run(...) returns the exit code instead
    }
}
