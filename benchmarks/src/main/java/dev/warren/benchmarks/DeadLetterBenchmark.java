package dev.warren.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.console.Console;
import dev.warren.console.ConsoleSettings;
import dev.warren.core.config.AmqpSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/benchmark --dead-letters N}: the console's dead-letter pages and bulk replay with N
 * dead letters, against what the console did before (a {@code basic.get} per letter for every
 * list, a replay that waits for each copy's confirm before removing its original) in the same run.
 * Fills {@code warren-bench-dlq-*.dlq} with letters shaped like a worker's (failure headers, a
 * stack trace, a small JSON body), starts the console in this JVM on a free port and times its
 * HTTP API, signed in with the broker URI's user.
 */
final class DeadLetterBenchmark {

    /** The error message of the one letter the text filter finds. */
    private static final String NEEDLE = "needle-in-the-dead-letters";

    private final AmqpSettings amqp;
    private final URI managementUrl;
    private final int letters;
    private final int baselineLetters;
    private final int rate;
    private final int window;
    private final PrintWriter log;

    DeadLetterBenchmark(AmqpSettings amqp, URI managementUrl, int letters, int baselineLetters, int rate, int window,
                        PrintWriter log) {
        this.amqp = amqp;
        this.managementUrl = managementUrl;
        this.letters = letters;
        this.baselineLetters = baselineLetters;
        this.rate = rate;
        this.window = window;
        this.log = log;
    }

    void run(PrintWriter out) throws Exception {
        String queue = QueueAdmin.uniqueName("dlq");
        String dlq = queue + ".dlq";
        try (Connection connection = BenchmarkRun.rawFactory(amqp).newConnection("warren-bench-dlq");
             Console console = Console.start(ConsoleSettings.of(amqp, managementUrl).withPort(0))) {
            QueueAdmin admin = new QueueAdmin(connection);
            admin.declare(queue);
            admin.declare(dlq);
            try (Channel channel = connection.createChannel()) {
                progress("filling %s with %,d dead letters", dlq, letters);
                fill(channel, dlq);
                ConsoleApiClient http = ConsoleApiClient.signIn(console.port(), amqp.effectiveUsername(), amqp.effectivePassword());
                Map<String, Double> seconds = new HashMap<>();
                String[] page = new String[1];
                seconds.put("page-first", time(() -> page[0] = http.get("/api/dead-letters?queue=" + queue)));
                seconds.put("page-again", time(() -> http.get("/api/dead-letters?queue=" + queue)));
                seconds.put("page-10", time(() -> http.get("/api/dead-letters?queue=" + queue + "&page=10")));
                String[] found = new String[1];
                seconds.put("text", time(() -> found[0] = http.get("/api/dead-letters?queue=" + queue + "&text=" + NEEDLE)));
                seconds.put("type", time(() -> http.get("/api/dead-letters?queue=" + queue + "&type=no_such_type")));
                progress("baseline: a basic.get per letter over all of them, as every list did before");
                seconds.put("get-all", time(() -> getAll(channel, dlq)));
                progress("baseline: a hand-written pipelined amqp-client loop moves all %,d to the work queue, window %d,"
                        + " then back (not timed)", letters, window);
                seconds.put("replay-raw", time(() -> RawMove.move(connection, dlq, queue, letters, window)));
                RawMove.move(connection, queue, dlq, letters, window);
                progress("bulk replay of all %,d at rate=%d, window %d", letters, rate, window);
                long started = System.nanoTime();
                http.post("/api/dead-letters/replay-matching?queue=" + queue + "&rate=" + rate + "&window=" + window);
                String state;
                do {
                    Thread.sleep(20);
                    state = http.get("/api/dead-letters/replay-matching");
                } while (state.contains("\"RUNNING\""));
                seconds.put("replay", (System.nanoTime() - started) / 1e9);
                int inWork = channel.queueDeclarePassive(queue).getMessageCount();
                int leftInDlq = channel.queueDeclarePassive(dlq).getMessageCount();
                progress("baseline: %,d letters moved back one by one, each copy confirmed before its original is removed",
                        baselineLetters);
                seconds.put("replay-baseline", time(() -> moveOneByOne(channel, queue, dlq, baselineLetters)));
                print(out, seconds, page[0].contains("\"total\":" + letters + ","), found[0].contains("\"total\":1,"), state,
                        inWork, leftInDlq);
            } finally {
                admin.delete(queue);
            }
        }
    }

    private void fill(Channel channel, String dlq) throws Exception {
        String stackTrace = ("java.io.IOException: mail relay refused\n" + "\tat com.example.Mailer.send(Mailer.java:42)\n".repeat(20));
        channel.confirmSelect();
        for (int i = 0; i < letters; i++) {
            Map<String, Object> headers = Map.of("x-warren-attempt", 5, "x-warren-error", "java.io.IOException",
                    "x-warren-error-message", i == letters / 2 ? NEEDLE : "mail relay refused (" + i + ")",
                    "x-warren-failed-at", Instant.now().toString(), "x-warren-queue", dlq.substring(0, dlq.length() - 4),
                    "x-warren-stack-trace", stackTrace);
            channel.basicPublish("", dlq, new AMQP.BasicProperties.Builder().messageId("letter-" + i)
                    .type("send_welcome_email").contentType("application/json").deliveryMode(2).headers(headers).build(),
                    ("{\"task_type\":\"send_welcome_email\",\"user_id\":" + i + ",\"email\":\"user" + i
                            + "@example.com\",\"user_name\":\"User " + i + "\"}").getBytes(StandardCharsets.UTF_8));
            if (i % 1000 == 999) {
                channel.waitForConfirmsOrDie(60_000);
            }
        }
        channel.waitForConfirmsOrDie(60_000);
    }

    /** What every list did before: a basic.get per letter, none acknowledged, all back when the channel closes. */
    private static void getAll(Channel channel, String dlq) throws Exception {
        try (Channel reading = channel.getConnection().createChannel()) {
            int present = reading.queueDeclarePassive(dlq).getMessageCount();
            for (int i = 0; i < present && reading.basicGet(dlq, false) != null; i++) {
                // visit
            }
        }
    }

    /** What replay did before: get one, publish its copy, wait for the confirm, remove the original. */
    private static void moveOneByOne(Channel channel, String from, String to, int count) throws Exception {
        try (Channel moving = channel.getConnection().createChannel()) {
            moving.confirmSelect();
            for (int i = 0; i < count; i++) {
                GetResponse response = moving.basicGet(from, false);
                if (response == null) {
                    break;
                }
                moving.basicPublish("", to, true, response.getProps(), response.getBody());
                moving.waitForConfirmsOrDie(30_000);
                moving.basicAck(response.getEnvelope().getDeliveryTag(), false);
            }
        }
    }

    private void print(PrintWriter out, Map<String, Double> s, boolean pageTotal, boolean textFound, String replayState,
                       int inWork,
                       int leftInDlq) {
        out.printf(Locale.ROOT, "Dead letters: %,d in one DLQ (JSON body ~110 bytes, failure headers and a ~1 KB stack"
                + " trace each); console in this JVM, JDK HTTP client%n", letters);
        out.println("  what                                                           | seconds | letters/s");
        row(out, "baseline: basic.get of every letter (old list)", s.get("get-all"), letters);
        row(out, "GET /api/dead-letters, page 1 of 50 (first request)" + (pageTotal ? "" : " (WRONG TOTAL)"),
                s.get("page-first"), 0);
        row(out, "GET /api/dead-letters, page 1 again", s.get("page-again"), 0);
        row(out, "GET /api/dead-letters, page 10", s.get("page-10"), 0);
        row(out, "GET ...&text=<one letter's error message>" + (textFound ? "" : " (NOT FOUND)"), s.get("text"), letters);
        row(out, "GET ...&type=<no such type> (all read, none match)", s.get("type"), letters);
        String state = replayState.replaceAll(".*\"state\":\"(\\w+)\".*", "$1");
        row(out, "bulk replay of all, rate=" + rate + ", window " + window + " (" + state + ")", s.get("replay"), letters);
        row(out, "baseline: replay one by one, confirm each (" + baselineLetters + ")", s.get("replay-baseline"),
                baselineLetters);
        row(out, "baseline: raw amqp-client pipelined move, window " + window, s.get("replay-raw"), letters);
        out.printf(Locale.ROOT, "  after the bulk replay: %,d in the work queue, %,d left in the DLQ%n", inWork, leftInDlq);
        out.flush();
    }

    private static void row(PrintWriter out, String what, double seconds, int count) {
        out.printf(Locale.ROOT, "  %-62s | %7.2f | %s%n", what, seconds,
                count == 0 ? "" : String.format(Locale.ROOT, "%,9.0f", count / seconds));
    }

    private void progress(String format, Object... args) {
        log.printf(Locale.ROOT, format + "%n", args);
        log.flush();
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static double time(Step step) throws Exception {
        long started = System.nanoTime();
        step.run();
        return (System.nanoTime() - started) / 1e9;
    }
}
