package dev.warren.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.DocumentedPermissions;
import dev.warren.core.testing.LeastPrivilegeNode;
import dev.warren.core.testing.LogCapture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker whose user may not declare the events stream (docs/reliability.md's worker permissions,
 * which name only the work queue's queues), on a private node: tasks are unaffected, events are
 * dropped and counted, and the outage is logged once.
 */
class RefusedStreamTest {

    private static LeastPrivilegeNode node;
    private final ObjectMapper mapper = CoreModule.newObjectMapper();

    @BeforeAll
    static void startNode() {
        node = LeastPrivilegeNode.start();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aStreamTheWorkerMayNotDeclareDropsAndCountsEventsLogsOnceAndEveryTaskStillSucceeds() throws Exception {
        String queue = "refused-events";
        node.grant(DocumentedPermissions.of(LeastPrivilegeNode.WORKER).forQueue(queue));
        node.grant(DocumentedPermissions.of(LeastPrivilegeNode.PRODUCER).forQueue(queue));
        int tasks = 50;
        try (LogCapture logs = LogCapture.of("dev.warren.events");
             EventsHarness warren = new EventsHarness(node.uri(LeastPrivilegeNode.WORKER), queue,
                     EventsSettings.defaults()).start()) {
            for (int i = 0; i < tasks; i++) {
                warren.publisher().publish(OutgoingTask.of("ok", mapper.createObjectNode())).get(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> warren.worker().stats().count(TaskOutcome.SUCCEEDED) == tasks);

            EventDrops drops = warren.events().drops();
            assertThat(drops.count(EventDrops.Reason.REFUSED)).isGreaterThan(0);
            assertThat(warren.worker().stats().count(TaskOutcome.RETRIED)).isZero();
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();
            assertThat(warren.worker().stats().errors()).isZero();
            assertThat(logs.lines()).filteredOn(line -> line.startsWith("WARN"))
                    .singleElement().asString()
                    .contains("task events to stream 'warren.events' are being dropped", "refused", "ACCESS_REFUSED");
        }
    }
}
