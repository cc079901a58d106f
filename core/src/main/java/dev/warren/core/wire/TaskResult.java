package dev.warren.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The result message a worker sends to {@code reply_to}, with {@code correlation_id} = the task's
 * {@code message_id} (see docs/wire-format.md, "The result").
 *
 * @param taskId   the task's message id
 * @param taskType the task type
 * @param status   {@code succeeded} or {@code dead_lettered}
 * @param result   what the handler returned (JSON), or null
 * @param error    why the task failed, or null
 * @param attempts how many attempts it took
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TaskResult(@JsonProperty("task_id") String taskId, @JsonProperty("task_type") String taskType,
                         @JsonProperty("status") String status, @JsonProperty("result") JsonNode result,
                         @JsonProperty("error") String error, @JsonProperty("attempts") int attempts) {

    /** Status of a task whose handler returned. */
    public static final String SUCCEEDED = "succeeded";
    /** Status of a task that ended in the dead-letter queue. */
    public static final String DEAD_LETTERED = "dead_lettered";

    /** True when the handler succeeded. */
    public boolean succeeded() {
        return SUCCEEDED.equals(status);
    }
}
