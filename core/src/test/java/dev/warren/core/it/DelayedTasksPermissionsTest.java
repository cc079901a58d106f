package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.testing.LeastPrivilegeNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.testing.WarrenHarness;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The permissions docs/scheduling.md lists for a publisher of delayed tasks suffice; a plain producer's do not. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DelayedTasksPermissionsTest {

    private static final String DELAYER = "warren-delayer";

    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private LeastPrivilegeNode node;

    @BeforeAll
    void startNode() {
        node = LeastPrivilegeNode.start(DELAYER);
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aPublisherWithTheDocumentedDelayPermissionsSendsADelayedTaskThatArrives() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("delay-lp"));
        grantDelayPermissions(queue);
        try (Connection worker = node.factory(LeastPrivilegeNode.WORKER).newConnection();
             Channel channel = worker.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            try (WarrenHarness delayer = new WarrenHarness(node.uri(DELAYER), queue, new TestTasks())) {
                delayer.publisher().publish(OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1)),
                        Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 1);
        }
    }

    @Test
    void theDocumentedDelayPermissionsAlsoCoverTheQuorumLevels() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("delay-lp-quorum"));
        grantDelayPermissions(queue);
        try (Connection worker = node.factory(LeastPrivilegeNode.WORKER).newConnection();
             Channel channel = worker.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            try (WarrenHarness delayer = new WarrenHarness(node.uri(DELAYER), WorkerSettings.of(queue),
                    RouteTable.allTo(queue).withQuorumQueues(queue), "delayer")) {
                delayer.publisher().publish(OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1)),
                        Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 1);
            GetResponse task = channel.basicGet(queue, true);
            assertThat(task.getProps().getHeaders().get("x-death").toString()).contains("queue=warren.delay.q.0");
        }
    }

    @Test
    void aProducerWithOnlyThePlainProducerPermissionsIsRefusedNamingTheDelayTopology() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("delay-lp-refused"));
        try (Connection worker = node.factory(LeastPrivilegeNode.WORKER).newConnection();
             Channel channel = worker.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        }
        try (WarrenHarness producer = new WarrenHarness(node.uri(LeastPrivilegeNode.PRODUCER), queue, new TestTasks())) {
            assertThatThrownBy(() -> producer.publisher().publish(
                    OutgoingTask.of("greet", mapper.createObjectNode().put("user_id", 1)), Duration.ofSeconds(1))
                    .get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PublishException.class)
                    .hasMessageContaining("delay topology").hasMessageContaining("ACCESS_REFUSED");
            // The publishing channel is untouched: a plain publish still goes through.
            producer.publisher().publish("greet", mapper.createObjectNode().put("user_id", 2)).get(10, TimeUnit.SECONDS);
        }
    }

    /** docs/scheduling.md, "Permissions", for the work queue {@code queue}. */
    private void grantDelayPermissions(String queue) {
        node.setPermissions(DELAYER, "^warren\\.delay\\..+$", "^(amq\\.default|warren\\.delay\\..+|" + queue + ")$",
                "^warren\\.delay\\..+$");
    }
}
