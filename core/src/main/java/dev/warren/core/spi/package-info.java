/**
 * The SPI: how a module extends a worker or producer without touching core. Each extension point
 * is a small interface bound with a Guice {@code Multibinder} (or, for the failure policy, an
 * {@code OptionalBinder}); retry-dlx and metrics use nothing else.
 *
 * <table>
 * <caption>Extension points</caption>
 * <tr><th>type</th><th>bind with</th><th>what it is for</th></tr>
 * <tr><td>{@link dev.warren.core.spi.TaskListener}</td><td>{@code Multibinder}</td><td>hears
 *     every task start and finish with its {@link dev.warren.core.spi.TaskOutcome}, and every
 *     step of its life as a {@link dev.warren.core.spi.TaskEvent}</td></tr>
 * <tr><td>{@link dev.warren.core.spi.TaskInterceptor}</td><td>{@code Multibinder}</td><td>wraps
 *     each handler run (first registered is outermost)</td></tr>
 * <tr><td>{@link dev.warren.core.spi.FailurePolicy}</td><td>{@code OptionalBinder.setBinding()}</td>
 *     <td>decides where a {@link dev.warren.core.spi.TaskFailure} goes and puts it there, and
 *     says so in a {@link dev.warren.core.spi.FailureOutcome} (retry delay, dead-letter reason);
 *     the default is {@link dev.warren.core.spi.DeadLetterOnFailure}</td></tr>
 * <tr><td>{@link dev.warren.core.spi.QueueDeclaration},
 *     {@link dev.warren.core.spi.QueueDeclarations}</td><td>{@code Multibinder}</td><td>queues a
 *     worker declares at start, fixed or computed from the registered types</td></tr>
 * <tr><td>{@link dev.warren.core.spi.HealthCheck}</td><td>{@code Multibinder}</td><td>one
 *     condition the {@code /health} endpoint reports</td></tr>
 * <tr><td>{@link dev.warren.core.spi.ConnectionListener}</td><td>{@code Multibinder}</td>
 *     <td>hears connection recoveries and flow-control blocks</td></tr>
 * <tr><td>{@link dev.warren.core.spi.PublishListener}</td><td>{@code Multibinder}</td><td>hears
 *     each publish as its confirm (or failure) arrives</td></tr>
 * </table>
 *
 * <p>A {@link dev.warren.core.spi.TaskFailure} says why a delivery failed and whether retrying
 * can help; besides the handler's own exception its cause may be one of
 * {@link dev.warren.core.spi.UnknownTaskTypeException},
 * {@link dev.warren.core.spi.InvalidPayloadException} (both permanent) or
 * {@link dev.warren.core.spi.RedeliveredTaskException} (a delivery the broker gave back after its
 * worker died).
 *
 * <p>Guarantees: every callback may be called concurrently from consumer or amqp-client threads.
 * Listeners and health checks must be fast and must not throw (a listener that throws is logged
 * and counted, and the task goes on). A failure policy may block; the worker acknowledges a
 * failed delivery only after {@link dev.warren.core.spi.FailurePolicy#handle} returns, and
 * requeues it if the policy throws: a duplicate is possible, a loss is not.
 *
 * <pre>{@code
 * final class SlowTaskLog implements TaskListener {
 *     @Override public void taskFinished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
 *         if (duration.compareTo(Duration.ofSeconds(10)) > 0) log.info("{} took {}", taskType, duration);
 *     }
 * }
 * // in a module's configure():
 * Multibinder.newSetBinder(binder(), TaskListener.class).addBinding().to(SlowTaskLog.class);
 * }</pre>
 */
package dev.warren.core.spi;
