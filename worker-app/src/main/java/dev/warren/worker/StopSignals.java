package dev.warren.worker;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop request, so the worker drains and exits with
 * status 0 instead of running shutdown hooks on a dying JVM.
 */
final class StopSignals {

    private StopSignals() {
    }

    static void onTermOrInt(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.run());
        }
    }
}
