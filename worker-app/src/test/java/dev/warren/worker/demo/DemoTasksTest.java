package dev.warren.worker.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.test.Attempt;
import dev.warren.test.DeadLetterReason;
import dev.warren.test.TaskHarness;
import dev.warren.test.TaskRun;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo task types, broker-free, through warren-test's harness with worker-app's default retry ladder. */
class DemoTasksTest {

    private final TaskHarness harness = TaskHarness.of(new DemoTasks(new DemoSettings(Duration.ZERO)));

    @AfterEach
    void closeHarness() {
        harness.close();
    }

    @Test
    void echoAnswersWithItsPayloadWithoutTheTaskType() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\":\"echo\",\"greeting\":\"hi\",\"n\":3}");

        assertThat(run.result().toString()).isEqualTo("{\"greeting\":\"hi\",\"n\":3}");
    }

    @Test
    void welcomeEmailFromThePythonProducerIsDelivered() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\": \"send_welcome_email\", \"user_id\": 123,"
                + " \"email\": \"user@example.com\", \"user_name\": \"John Doe\"}");

        assertThat(run.result().get("delivered_to").asText()).isEqualTo("user@example.com");
    }

    @Test
    void welcomeEmailWithoutAnAddressIsDeadLetteredAsInvalidPayload() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\":\"send_welcome_email\",\"user_id\":1,\"email\":\"nobody\"}");

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.INVALID_PAYLOAD);
        assertThat(run.error()).contains("email must be an e-mail address, was 'nobody'");
    }

    @Test
    void failTwiceSucceedsOnAttemptThreeAfterTheFirstTwoLadderDelays() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\":\"fail\",\"times\":2}");

        assertThat(run.result().get("attempt").asInt()).isEqualTo(3);
        assertThat(run.retryDelays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertThat(run.attempts()).extracting(Attempt::outcome)
                .containsExactly(TaskOutcome.RETRIED, TaskOutcome.RETRIED, TaskOutcome.SUCCEEDED);
    }

    @Test
    void failEveryAttemptIsDeadLetteredAfterFiveAttemptsOnTheDefaultLadder() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\":\"fail\",\"times\":100}");

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.ATTEMPTS_EXHAUSTED);
        assertThat(run.attemptCount()).isEqualTo(5);
        assertThat(run.retryDelays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofMinutes(1), Duration.ofMinutes(5));
        assertThat(run.error()).isEqualTo("planned failure of attempt 5 (fails the first 100)");
    }

    @Test
    void unknownTaskTypeGoesToDlq() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\":\"resize_image\"}");

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.UNKNOWN_TYPE);
        assertThat(run.error()).isEqualTo(
                "unknown task type 'resize_image' (this worker runs [crash, echo, fail, noop, send_welcome_email, sleep])");
    }
}
