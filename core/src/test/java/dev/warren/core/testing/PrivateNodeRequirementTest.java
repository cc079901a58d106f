package dev.warren.core.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** Without the rabbitmq-server package, a test that needs a private node fails under CI and is skipped elsewhere. */
class PrivateNodeRequirementTest {

    @Test
    void withThePackageTheTestGoesOnUnderCiOrNot() {
        assertThatCode(() -> PrivateRabbitNode.requireInstalled(true, "true")).doesNotThrowAnyException();
        assertThatCode(() -> PrivateRabbitNode.requireInstalled(true, null)).doesNotThrowAnyException();
    }

    @Test
    void withoutThePackageUnderCiTheTestFails() {
        for (String ci : new String[] {"true", "1", "yes"}) {
            assertThatThrownBy(() -> PrivateRabbitNode.requireInstalled(false, ci))
                    .isExactlyInstanceOf(AssertionError.class)
                    .hasMessageContaining("apt-get install rabbitmq-server")
                    .hasMessageContaining("Under CI (CI=" + ci + ")");
        }
    }

    @Test
    void withoutThePackageElsewhereTheTestIsSkippedSayingWhatToInstall() {
        for (String ci : new String[] {null, "", "false", "0"}) {
            assertThatThrownBy(() -> PrivateRabbitNode.requireInstalled(false, ci))
                    .isExactlyInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("apt-get install rabbitmq-server")
                    .hasMessageContaining("Skipped, not failed");
        }
    }
}
