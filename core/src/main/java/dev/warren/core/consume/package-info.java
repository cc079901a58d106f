/**
 * The consuming side. An app uses {@link dev.warren.core.consume.Worker} (start, stop, health,
 * the counts in {@link dev.warren.core.consume.WorkerStats}) and may see a
 * {@link dev.warren.core.consume.TopologyMismatchException} at start;
 * {@link dev.warren.core.consume.TaskLogContext} names the MDC keys of a running task. The rest
 * (consumers, dispatch, put-back on shutdown) is package-private, except
 * {@link dev.warren.core.consume.TaskExecution}: public only so that warren-test's
 * {@code TaskHarness} runs handlers through the worker's own steps, and not an API.
 */
package dev.warren.core.consume;
