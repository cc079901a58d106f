/**
 * Test fixtures for running Warren against a real RabbitMQ broker, in the {@code warren-test-broker}
 * artifact, which depends on no Warren code: core's own tests use it, as do the tests of every other
 * module, and {@code warren-test} brings it to task authors. Warren-specific helpers of this package
 * ({@code WarrenHarness}, {@code LogCapture}, {@code LeastPrivilegeNode}) stay in core's test-jar.
 *
 * <ul>
 *   <li>{@link dev.warren.core.testing.RabbitBroker#shared()} finds one broker per JVM for
 *       ordinary tests: {@code WARREN_TEST_AMQP_URI}, a broker on {@code localhost:5672},
 *       Testcontainers, or a private node from the installed {@code rabbitmq-server} package.
 *   <li>{@link dev.warren.core.testing.PrivateRabbitNode} is a node of a test's own, for fault
 *       tests (restart, crash, cut connections) that must never run against the shared broker.
 *   <li>{@link dev.warren.core.testing.ManagementApi} reads and closes connections and queues
 *       through the management plugin.
 *   <li>{@link dev.warren.core.testing.TestQueues} and {@link dev.warren.core.testing.QueueCleanup}
 *       give each test its own queue names and delete them afterwards.
 *   <li>{@link dev.warren.core.testing.Requirements} lets a test go on only with what it needs from
 *       the machine (the {@code rabbitmq-server} package, a built jar): without it the test fails
 *       under CI (environment variable {@code CI} set) and is skipped with a message elsewhere.
 *   <li>{@link dev.warren.core.testing.PikaScript} runs a plain Python pika script with the
 *       system's {@code python3}, for interop tests; it requires pika that way.
 * </ul>
 *
 * <p>{@code org.testcontainers:rabbitmq} comes with this artifact, for the shared broker's
 * Testcontainers step.
 */
package dev.warren.core.testing;
