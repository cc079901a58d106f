package dev.warren.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code --json} summary of one {@code producer-app load} run, with the exit code and what it
 * printed on stderr. Counts are exact: every publish is settled once (confirmed, nacked, returned
 * or failed; {@code unconfirmed} when the broker never answered), and with {@code --await-results}
 * every result message is counted.
 *
 * @param exitCode     0 when every task was confirmed (and answered), 5 when not
 * @param sent         tasks handed to the broker
 * @param confirmed    tasks the broker confirmed
 * @param nacked       tasks the broker refused
 * @param returned     tasks no queue took
 * @param failed       tasks whose connection or channel closed before the confirm: reported failed to the caller
 * @param unconfirmed  tasks without any answer from the broker when load gave up waiting
 * @param seconds      from the first publish to the last confirm
 * @param results      with {@code --await-results}, else null
 * @param stderr       warnings and errors load printed
 * @param json         the raw summary, for the report
 */
public record LoadSummary(int exitCode, long sent, long confirmed, long nacked, long returned, long failed,
                          long unconfirmed, double seconds, Results results, String stderr, String json) {

    /**
     * Results of tasks sent with {@code reply_to} (direct reply-to).
     *
     * @param completed    tasks whose first result says {@code succeeded}
     * @param deadLettered tasks whose first result says {@code dead_lettered}
     * @param missing      confirmed tasks without a result: lost, unless their result was lost
     * @param duplicates   results beyond the first for the same task
     * @param unexpected   results for tasks this run did not send, unreadable ones
     */
    public record Results(long completed, long deadLettered, long missing, long duplicates, long unexpected) {

        /** Tasks with a first result. */
        public long answered() {
            return completed + deadLettered;
        }
    }

    /** Every publish is settled: confirmed, or reported to the caller as nacked, returned or failed. */
    public boolean everyPublishSettled() {
        return unconfirmed == 0 && sent == confirmed + nacked + returned + failed;
    }

    /** Publishes reported to the caller as not delivered (nacked, returned, failed or unanswered). */
    public long notConfirmed() {
        return sent - confirmed;
    }

    static LoadSummary parse(int exitCode, String stdout, String stderr, ObjectMapper mapper) {
        JsonNode root;
        try {
            int start = stdout.indexOf('{');
            if (start < 0) {
                throw new IllegalStateException("load printed no JSON summary (exit code " + exitCode + ")\nstdout:\n"
                        + stdout + "\nstderr:\n" + stderr);
            }
            root = mapper.readTree(stdout.substring(start));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable load summary:\n" + stdout, e);
        }
        JsonNode r = root.path("results");
        Results results = r.isMissingNode() || r.isNull() ? null
                : new Results(r.path("completed").asLong(), r.path("dead_lettered").asLong(),
                        r.path("missing").asLong(), r.path("duplicates").asLong(), r.path("unexpected").asLong());
        return new LoadSummary(exitCode, root.path("sent").asLong(), root.path("confirmed").asLong(),
                root.path("nacked").asLong(), root.path("returned").asLong(), root.path("failed").asLong(),
                root.path("unconfirmed").asLong(), root.path("seconds").asDouble(), results, stderr,
                root.toPrettyString());
    }
}
