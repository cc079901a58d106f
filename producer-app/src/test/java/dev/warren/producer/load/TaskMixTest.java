package dev.warren.producer.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.CoreModule;
import dev.warren.core.config.InvalidSettingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class TaskMixTest {

    private static TaskMix mix(String types, double failRatio, int payloadBytes) {
        return TaskMix.parse(types, failRatio, payloadBytes, CoreModule.newObjectMapper());
    }

    private static Map<String, Long> counts(TaskMix mix, long n) {
        Map<String, Long> counts = new TreeMap<>();
        LongStream.range(0, n).forEach(i -> counts.merge(mix.typeOf(i), 1L, Long::sum));
        return counts;
    }

    @Test
    void weightsAreExactOverEachCycleAndSpreadOut() {
        TaskMix mix = mix("noop=8,send_welcome_email=1,fail=1", 0, 0);

        assertThat(counts(mix, 1000)).containsEntry("noop", 800L).containsEntry("send_welcome_email", 100L)
                .containsEntry("fail", 100L);
        assertThat(mix.typeOf(0)).isEqualTo("noop");
        assertThat(LongStream.range(0, 10).mapToObj(mix::typeOf).filter("noop"::equals).count()).isEqualTo(8);
    }

    @Test
    void failRatioMakesExactlyTheFloorOfCountTimesRatioDeadLetterTasks() {
        for (double ratio : new double[] {0.01, 0.05, 0.1, 1.0 / 3, 0.5, 1}) {
            TaskMix mix = mix("noop", ratio, 0);
            for (long n : new long[] {1, 7, 100, 1000, 12_345}) {
                long deadLetter = LongStream.range(0, n).filter(mix::deadLetterTask).count();
                assertThat(deadLetter).as("ratio %s of %s", ratio, n).isEqualTo((long) Math.floor(n * ratio));
            }
        }
    }

    @Test
    void deadLetterTasksFailEveryAttemptWhileTheMixesFailTypeFailsOnce() {
        TaskMix mix = mix("fail", 0.5, 0);

        assertThat(mix.deadLetterTask(1)).isTrue();
        assertThat(mix.typeOf(1)).isEqualTo("fail");
        assertThat(mix.payloadOf(1).path("times").asInt()).isEqualTo(TaskMix.FAIL_EVERY_ATTEMPT);
        assertThat(mix.deadLetterTask(0)).isFalse();
        assertThat(mix.payloadOf(0).path("times").asInt()).isEqualTo(1);
    }

    @Test
    void payloadsFitTheDemoTypesAndArePaddedToAboutTheRequestedSize() {
        TaskMix mix = mix("send_welcome_email,noop", 0, 200);

        ObjectNode email = mix.payloadOf(0);
        assertThat(email.has("user_id")).isTrue();
        assertThat(email.path("email").asText()).contains("@");
        for (long n = 0; n < 4; n++) {
            ObjectNode body = CoreModule.newObjectMapper().createObjectNode().put("task_type", mix.typeOf(n));
            body.setAll(mix.payloadOf(n));
            assertThat(body.toString().getBytes(StandardCharsets.UTF_8).length).isBetween(195, 205);
        }
        assertThat(mix("noop", 0, 0).payloadOf(0).has(TaskMix.PADDING_FIELD)).isFalse();
    }

    @Test
    void badFlagsAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> mix("noop=x", 0, 0)).isInstanceOf(InvalidSettingException.class).hasMessageContaining("--types");
        assertThatThrownBy(() -> mix("noop=0", 0, 0)).hasMessageContaining("--types");
        assertThatThrownBy(() -> mix("noop,noop", 0, 0)).hasMessageContaining("twice");
        assertThatThrownBy(() -> mix("noop", 1.5, 0)).hasMessageContaining("--fail-ratio");
        assertThatThrownBy(() -> mix("noop", 0, -1)).hasMessageContaining("--payload-bytes");
    }
}
