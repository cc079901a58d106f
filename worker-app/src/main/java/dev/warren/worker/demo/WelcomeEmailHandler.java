package dev.warren.worker.demo;

import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Pretends to send a welcome e-mail: waits the configured delay and logs one line. */
@Singleton
public final class WelcomeEmailHandler implements TaskHandler<WelcomeEmail, Map<String, Object>> {

    private static final Logger log = LoggerFactory.getLogger(WelcomeEmailHandler.class);

    private final DemoSettings settings;

    @Inject
    public WelcomeEmailHandler(DemoSettings settings) {
        this.settings = settings;
    }

    @Override
    public Map<String, Object> handle(WelcomeEmail task, TaskContext context) throws InterruptedException {
        Thread.sleep(settings.emailDelay());
        log.info("sent welcome e-mail to {} <{}> (user {}, task {})", task.userName(), task.email(), task.userId(),
                context.messageId());
        return Map.of("delivered_to", task.email(), "user_id", task.userId());
    }
}
