/**
 * The task API: everything a task author writes against. A task jar needs nothing else from
 * core; producers share its {@link dev.warren.core.task.TaskType} constants.
 *
 * <table>
 * <caption>Types</caption>
 * <tr><th>type</th><th>what it is for</th></tr>
 * <tr><td>{@link dev.warren.core.task.TaskType}</td><td>a task type's {@code task_type} name,
 *     payload record and result type; one constant shared by producer and worker</td></tr>
 * <tr><td>{@link dev.warren.core.task.TaskHandler}</td><td>runs one task type: payload and
 *     context in, result out</td></tr>
 * <tr><td>{@link dev.warren.core.task.TaskContext}</td><td>what a handler knows about its
 *     delivery: message id (the idempotency key), attempt, queue, headers</td></tr>
 * <tr><td>{@link dev.warren.core.task.TaskOptions}</td><td>a type's own time limit, max
 *     attempts, retry delays, non-retryable exceptions and max age</td></tr>
 * <tr><td>{@link dev.warren.core.task.TaskModule}</td><td>the Guice module a team writes to
 *     register its types ({@code bindTask}); worker-app finds it through
 *     {@code META-INF/services/dev.warren.core.task.TaskModule}</td></tr>
 * <tr><td>{@link dev.warren.core.task.TaskDefinition}</td><td>one registered type, as the
 *     worker and other modules read it from the {@code Map<String, TaskDefinition>}</td></tr>
 * <tr><td>{@link dev.warren.core.task.PermanentTaskFailure}</td><td>thrown by a handler when
 *     retrying cannot help: straight to the dead-letter queue</td></tr>
 * <tr><td>{@link dev.warren.core.task.TaskTimeLimitExceeded},
 *     {@link dev.warren.core.task.TaskExpiredException}</td><td>how a run ends when its type's
 *     time limit (retryable) or max age (permanent) is exceeded</td></tr>
 * </table>
 *
 * <p>Guarantees: delivery is at least once, so a handler must be idempotent (key it on
 * {@link dev.warren.core.task.TaskContext#messageId()}); a handler runs concurrently on several
 * threads; a task is acknowledged only after its result (when it has {@code reply_to}) or its
 * failure copy was confirmed by the broker. A handler's exception is a retryable failure unless
 * it is a {@link dev.warren.core.task.PermanentTaskFailure} or listed as non-retryable in the
 * type's options. Registering a type name twice fails when the injector is created.
 *
 * <pre>{@code
 * public record ResizeImage(String imageUrl, int width) { }
 * public static final TaskType<ResizeImage, Void> RESIZE = TaskType.of("resize_image", ResizeImage.class, Void.class);
 *
 * public final class ImageTasks extends TaskModule {
 *     @Override protected void configureTasks() {
 *         bindTask(RESIZE, (task, context) -> { resize(task); return null; },
 *                  TaskOptions.builder().timeLimit(Duration.ofMinutes(2)).maxAttempts(3).build());
 *     }
 * }
 * }</pre>
 *
 * <p>docs/task-authors.md walks through a whole task jar; extension points that are not about
 * one task type (listeners, interceptors, failure policy) are in {@link dev.warren.core.spi}.
 */
package dev.warren.core.task;
