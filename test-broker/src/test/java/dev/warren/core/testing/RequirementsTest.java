package dev.warren.core.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** What a test needs from the machine: when it is missing, the test fails under CI and is skipped elsewhere. */
class RequirementsTest {

    private static final String MISSING = "the rabbitmq-server package (apt-get install rabbitmq-server)";

    @Test
    void whenTheRequirementIsMetTheTestGoesOnUnderCiOrNot() {
        assertThatCode(() -> Requirements.require(true, MISSING, "true")).doesNotThrowAnyException();
        assertThatCode(() -> Requirements.require(true, MISSING, null)).doesNotThrowAnyException();
    }

    @Test
    void whenItIsMissingUnderCiTheTestFails() {
        for (String ci : new String[] {"true", "1", "yes"}) {
            assertThatThrownBy(() -> Requirements.require(false, MISSING, ci))
                    .isExactlyInstanceOf(AssertionError.class)
                    .hasMessageContaining(MISSING)
                    .hasMessageContaining("Under CI (CI=" + ci + ")");
        }
    }

    @Test
    void whenItIsMissingElsewhereTheTestIsSkippedSayingWhatIsMissing() {
        for (String ci : new String[] {null, "", "false", "0"}) {
            assertThatThrownBy(() -> Requirements.require(false, MISSING, ci))
                    .isExactlyInstanceOf(TestAbortedException.class)
                    .hasMessageContaining(MISSING)
                    .hasMessageContaining("Skipped, not failed");
        }
    }
}
