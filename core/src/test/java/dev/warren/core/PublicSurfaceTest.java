package dev.warren.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Core's public types, package by package: the task API, the SPI, and the wiring apps use. A new
 * public type is a decision (docs/architecture.md's package table and the package-info say where
 * it belongs); anything else stays package-private.
 */
class PublicSurfaceTest {

    private static final Map<String, Set<String>> PUBLIC_TYPES = Map.of(
            "dev.warren.core", Set.of("CoreModule", "WorkerModule"),
            "dev.warren.core.task", Set.of("PermanentTaskFailure", "TaskContext", "TaskDefinition",
                    "TaskExpiredException", "TaskHandler", "TaskModule", "TaskOptions", "TaskTimeLimitExceeded",
                    "TaskType"),
            "dev.warren.core.spi", Set.of("ConnectionListener", "DeadLetterOnFailure", "FailureOutcome", "FailurePolicy",
                    "HealthCheck",
                    "InvalidPayloadException", "PublishListener", "QueueDeclaration", "QueueDeclarations",
                    "RedeliveredTaskException", "TaskEvent", "TaskFailure", "TaskInterceptor", "TaskListener", "TaskOutcome",
                    "UnknownTaskTypeException"),
            "dev.warren.core.config", Set.of("AmqpSettings", "Durations", "InvalidSettingException", "WorkerSettings"),
            "dev.warren.core.connection", Set.of("AmqpConnections", "BrokerReplies", "BrokerUnavailableException",
                    "OversizedBodies", "OversizedBody"),
            "dev.warren.core.consume", Set.of("TaskExecution", "TaskLogContext", "TopologyMismatchException", "Worker",
                    "WorkerStats"),
            "dev.warren.core.publish", Set.of("DelayLevels", "DelayTopology", "OutgoingTask", "PublishException",
                    "ResultListener", "RouteTable", "TaskFailedException", "TaskPublisher"),
            "dev.warren.core.schedule", Set.of("MisfirePolicy", "Schedule", "ScheduledTask", "Scheduler",
                    "SchedulerModule", "SchedulerSettings", "SchedulerStatus"),
            "dev.warren.core.wire", Set.of("MalformedTaskException", "TaskCodec", "TaskHeaders", "TaskMessage",
                    "TaskResult", "TaskTooLargeException"));

    @Test
    void onlyTheTaskApiTheSpiAndAppWiringArePublic() throws Exception {
        assertThat(publicTopLevelTypes()).isEqualTo(PUBLIC_TYPES);
    }

    private static Map<String, Set<String>> publicTopLevelTypes()
            throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(CoreModule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Set<String>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                name = name.substring(0, name.length() - ".class".length());
                if (name.contains("$") || name.endsWith("package-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, PublicSurfaceTest.class.getClassLoader());
                if (Modifier.isPublic(type.getModifiers())) {
                    found.computeIfAbsent(type.getPackageName(), p -> new TreeSet<>()).add(type.getSimpleName());
                }
            }
        }
        return found;
    }
}
