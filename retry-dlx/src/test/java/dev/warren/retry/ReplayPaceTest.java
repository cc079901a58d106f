package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ReplayPace}: its defaults, its slot arithmetic and the messages of bad values. */
class ReplayPaceTest {

    @Test
    void defaultsToAWindowOfAThousandAndNoRateLimit() {
        assertThat(ReplayPace.unlimited()).isEqualTo(new ReplayPace(0, 1_000));
        assertThat(ReplayPace.unlimited().intervalNanos()).isZero();
        assertThat(ReplayPace.perSecond(5_000).intervalNanos()).isEqualTo(200_000);
    }

    @Test
    void refusesBadValuesNamingTheSettingAndWhatIsAllowed() {
        assertThatThrownBy(() -> new ReplayPace(-1, 10))
                .hasMessage("replay rate must be >= 0 per second (0: no limit), was -1.0");
        assertThatThrownBy(() -> new ReplayPace(Double.NaN, 10))
                .hasMessage("replay rate must be >= 0 per second (0: no limit), was NaN");
        assertThatThrownBy(() -> new ReplayPace(10, 0))
                .hasMessage("replay window must be between 1 and 65535, was 0");
        assertThatThrownBy(() -> new ReplayPace(10, 65_536))
                .hasMessage("replay window must be between 1 and 65535, was 65536");
    }
}
