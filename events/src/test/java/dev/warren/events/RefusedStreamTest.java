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
 * dropped and counted, and the outage is logged once; once the stream is granted, events flow
 * again, said once.
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
        DocumentedPermissions worker = DocumentedPermissions.of(LeastPrivilegeNode.WORKER).forQueue(queue);
        node.grant(worker);
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

            // The operator grants the stream: within the retry interval events flow again, said once.
            node.setPermissions(LeastPrivilegeNode.WORKER, "(" + worker.configure() + ")|^warren\\.events$",
                    worker.write(), worker.read());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                warren.publisher().publish(OutgoingTask.of("ok", mapper.createObjectNode())).get(5, TimeUnit.SECONDS);
                return warren.events().confirmed() > 0;
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.text().contains("task events flow again"));
            assertThat(logs.lines()).filteredOn(line -> line.contains("task events flow again")).singleElement()
                    .asString().startsWith("INFO").contains("stream 'warren.events'", "dropped meanwhile");
            assertThat(logs.lines()).filteredOn(line -> line.startsWith("WARN")).hasSize(1);
        }
    }
}
