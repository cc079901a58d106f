/**
 * App settings: {@link dev.warren.core.config.AmqpSettings} and
 * {@link dev.warren.core.config.WorkerSettings}, immutable records validated when built (a bad
 * value is an {@link dev.warren.core.config.InvalidSettingException} naming the setting), and
 * {@link dev.warren.core.config.Durations} for reading and printing durations.
 */
package dev.warren.core.config;
