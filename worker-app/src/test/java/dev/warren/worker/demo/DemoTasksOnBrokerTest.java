package dev.warren.worker.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.publish.TaskFailedException;
import dev.warren.core.task.TaskType;
import dev.warren.retry.DeadLetter;
import dev.warren.retry.RetrySettings;
import dev.warren.test.WarrenWorkerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo task types on a real broker, through warren-test's extension: typed requests to types
 * the demo registers by name, retries through the broker's retry queues, and the dead-letter queue.
 */
class DemoTasksOnBrokerTest {

    static final TaskType<ObjectNode, ObjectNode> ECHO = TaskType.of("echo", ObjectNode.class, ObjectNode.class);
    static final TaskType<Fail, Map<String, Integer>> FAIL =
            TaskType.of("fail", Fail.class, new TypeReference<Map<String, Integer>>() { });

    @RegisterExtension
    final WarrenWorkerExtension warren = WarrenWorkerExtension.builder()
            .modules(new DemoTasks(new DemoSettings(Duration.ZERO)))
            .retrySettings(RetrySettings.custom().maxAttempts(3).delays("50ms").build())
            .queuePrefix("demo-kit")
            .build();

    @Test
    void echoAnswersATypedRequest() {
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("greeting", "hi");

        assertThat(warren.probe().request(ECHO, payload)).isEqualTo(payload);
    }

    @Test
    void failTwiceSucceedsOnAttemptThreeThroughTheRetryQueues() {
        assertThat(warren.probe().request(FAIL, new Fail(2, null))).containsEntry("attempt", 3);
    }

    @Test
    void failEveryAttemptIsDeadLetteredAfterTheLastWithItsReason() {
        TaskFailedException failure = warren.probe().requestFailure(FAIL, new Fail(10, null));

        assertThat(failure.error()).isEqualTo("planned failure of attempt 3 (fails the first 10)");
        DeadLetter letter = warren.probe().awaitDeadLetter(failure.taskId());
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.error()).isEqualTo(DemoTasks.PlannedFailure.class.getName());
    }
}
