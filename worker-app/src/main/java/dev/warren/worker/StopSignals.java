package dev.warren.worker;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into a graceful stop request, so the worker drains and exits with
 * status 0 instead of running shutdown hooks on a dying JVM.
 */
final class StopSignals {

    private static final String[] NAMES = {"TERM", "INT"};

    private StopSignals() {
    }

    /** Calls {@code stop} on SIGTERM and SIGINT; the returned action puts the previous handlers back. */
    static Runnable onTermOrInt(Runnable stop) {
        List<SignalHandler> previous = new ArrayList<>();
        for (String name : NAMES) {
            previous.add(Signal.handle(new Signal(name), signal -> stop.run()));
        }
        return () -> {
            for (int i = 0; i < NAMES.length; i++) {
                Signal.handle(new Signal(NAMES[i]), previous.get(i));
            }
        };
    }
}
