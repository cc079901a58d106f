package dev.warren.producer.load;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a load run as it goes: a progress bar (me.tongfei:progressbar) on a terminal, nothing
 * otherwise. Called from one thread, the run's ticker.
 */
interface LoadProgress extends AutoCloseable {

    /** Sending: {@code confirmed} of {@code count} tasks (or {@code elapsed} of the run's duration). */
    void sending(long sent, long confirmed, Duration elapsed);

    /** Waiting for results: {@code answered} of {@code expected}. */
    void awaiting(long answered, long expected);

    @Override
    void close();

    /** Shows nothing. */
    static LoadProgress none() {
        return new LoadProgress() {
            @Override
            public void sending(long sent, long confirmed, Duration elapsed) {
            }

            @Override
            public void awaiting(long answered, long expected) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** A progress bar on {@code terminal} for a run of {@code count} tasks, or of {@code duration} when count is 0. */
    static LoadProgress bar(PrintStream terminal, long count, Duration duration) {
        return new Bar(terminal, count, duration);
    }

    /**
     * True when standard error goes to a terminal. JDK 22+ says so through {@code Console.isTerminal()}
     * (its {@code System.console()} exists even when redirected); on JDK 21 a console exists only then.
     */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = java.io.Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** The progress bar: tasks confirmed of the count, or seconds of the duration; then results. */
    final class Bar implements LoadProgress {
        private final PrintStream terminal;
        private final long count;
        private ProgressBar bar;
        private boolean awaitingResults;

        Bar(PrintStream terminal, long count, Duration duration) {
            this.terminal = terminal;
            this.count = count;
            this.bar = count > 0
                    ? builder("load", count).setUnit(" tasks", 1).showSpeed(new java.text.DecimalFormat("#")).build()
                    : builder("load", duration.toMillis()).setUnit(" s", 1000).hideEta().build();
        }

        private ProgressBarBuilder builder(String name, long max) {
            return new ProgressBarBuilder().setTaskName(name).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(terminal));
        }

        @Override
        public void sending(long sent, long confirmed, Duration elapsed) {
            if (count > 0) {
                bar.stepTo(confirmed);
                bar.setExtraMessage(" sent " + sent);
            } else {
                bar.stepTo(Math.min(bar.getMax(), elapsed.toMillis()));
                bar.setExtraMessage(" " + confirmed + " confirmed");
            }
        }

        @Override
        public void awaiting(long answered, long expected) {
            if (!awaitingResults) {
                bar.close();
                bar = builder("results", Math.max(1, expected)).setUnit(" tasks", 1).build();
                awaitingResults = true;
            }
            bar.stepTo(answered);
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
