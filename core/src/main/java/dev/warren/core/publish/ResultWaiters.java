package dev.warren.core.publish;

import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who waits for the results arriving on a {@link TaskPublisher}'s reply consumer: one future per
 * awaited task (the first result completes it) and the {@link ResultListener}s (every result).
 * Thread-safe.
 */
final class ResultWaiters {

    private static final Logger log = LoggerFactory.getLogger(ResultWaiters.class);

    private final TaskCodec codec;
    private final Map<String, CompletableFuture<TaskResult>> awaited = new ConcurrentHashMap<>();
    private final List<ResultListener> listeners = new CopyOnWriteArrayList<>();

    ResultWaiters(TaskCodec codec) {
        this.codec = codec;
    }

    /** A future for the first result with correlation id {@code id}; forgotten once it completes. */
    CompletableFuture<TaskResult> await(String id) {
        CompletableFuture<TaskResult> result = new CompletableFuture<>();
        awaited.put(id, result);
        result.whenComplete((r, e) -> awaited.remove(id));
        return result;
    }

    void add(ResultListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(ResultListener listener) {
        listeners.remove(listener);
    }

    /** Hands a result message to the listeners, then to its waiter. */
    void accept(String correlationId, byte[] body) {
        CompletableFuture<TaskResult> waiting = correlationId == null ? null : awaited.get(correlationId);
        if (waiting == null && listeners.isEmpty()) {
            log.debug("result for task {} arrived after its waiter gave up", correlationId);
            return;
        }
        TaskResult result;
        try {
            result = codec.readResult(body);
        } catch (IOException e) {
            for (ResultListener listener : listeners) {
                listener.unreadableResult(correlationId, e);
            }
            if (waiting != null) {
                waiting.completeExceptionally(new IOException("unreadable result for task " + correlationId, e));
            }
            return;
        }
        // Listeners first: a request() waiter may react to completion by closing the publisher.
        for (ResultListener listener : listeners) {
            listener.resultArrived(correlationId, result);
        }
        if (waiting != null) {
            waiting.complete(result);
        }
    }
}
