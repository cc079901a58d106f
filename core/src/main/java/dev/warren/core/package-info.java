/**
 * The Guice modules an app installs: {@link dev.warren.core.CoreModule} (connections, codec,
 * publisher; every app) and {@link dev.warren.core.WorkerModule} (the consumer; workers only).
 * Task authors write against {@link dev.warren.core.task}, extensions against
 * {@link dev.warren.core.spi}; docs/architecture.md lists every package.
 */
package dev.warren.core;
