package dev.warren.core.spi;

import java.util.List;

/**
 * Contributes queues for a worker to declare at start, computed when the injector is built (for
 * example one retry queue per delay of every registered task type). Register with a Guice
 * {@code Multibinder<QueueDeclarations>}; single fixed queues can also be bound as
 * {@code Multibinder<QueueDeclaration>}.
 */
@FunctionalInterface
public interface QueueDeclarations {

    /** The queues to declare. */
    List<QueueDeclaration> declarations();
}
