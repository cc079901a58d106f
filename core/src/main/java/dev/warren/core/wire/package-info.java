/**
 * The wire format of docs/wire-format.md: {@link dev.warren.core.wire.TaskCodec} turns tasks and
 * results into AMQP bodies and properties and back, {@link dev.warren.core.wire.TaskHeaders}
 * names every header and property, and {@link dev.warren.core.wire.MalformedTaskException} (with
 * {@link dev.warren.core.wire.TaskTooLargeException}) is what a body that cannot be decoded
 * fails with. Producers in other languages follow the document, not these classes.
 */
package dev.warren.core.wire;
