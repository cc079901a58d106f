package dev.warren.events;

import dev.warren.core.spi.TaskEvent;
import dev.warren.core.spi.TaskListener;

/**
 * Hands each {@link TaskEvent} of the worker to the {@link EventPublisher}, with the worker's
 * name: an allocation and a non-blocking offer on the consumer thread, nothing more (the JSON is
 * written on the publisher's thread).
 */
final class EventsListener implements TaskListener {

    private final EventPublisher publisher;
    private final String worker;

    EventsListener(EventPublisher publisher, String worker) {
        this.publisher = publisher;
        this.worker = worker;
    }

    @Override
    public void taskEvent(TaskEvent event) {
        publisher.offer(Event.of(event, worker));
    }
}
