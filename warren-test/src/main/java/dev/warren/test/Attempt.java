package dev.warren.test;

import dev.warren.core.spi.TaskOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * One attempt of a task in {@link TaskHarness}.
 *
 * @param number     the attempt number, 1-based ({@code x-warren-attempt})
 * @param outcome    succeeded, retried or dead-lettered
 * @param startedAt  the test clock when it started
 * @param retryDelay how long the ladder delays the next attempt; {@code null} unless retried
 * @param deadLetter why it was dead-lettered; {@code null} unless dead-lettered
 * @param failure    what the attempt threw; {@code null} when it succeeded
 * @param error      the failure reason as the worker records it ({@code x-warren-error-message}); {@code null} when it succeeded
 */
public record Attempt(int number, TaskOutcome outcome, Instant startedAt, Duration retryDelay,
                      DeadLetterReason deadLetter, Throwable failure, String error) {
}
