/**
 * Publishing tasks: {@link dev.warren.core.publish.TaskPublisher} (confirmed, mandatory; typed
 * {@code publish} and {@code request}, untyped {@link dev.warren.core.publish.OutgoingTask} for
 * tools), {@link dev.warren.core.publish.RouteTable} (task type to queue), and what a publish can
 * fail with ({@link dev.warren.core.publish.PublishException},
 * {@link dev.warren.core.publish.TaskFailedException}). {@link dev.warren.core.publish.ResultListener}
 * reads every result message of a reply queue. Publishes are reported to
 * {@link dev.warren.core.spi.PublishListener}s.
 */
package dev.warren.core.publish;
