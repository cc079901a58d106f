package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.test.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    private final TestClock clock = TestClock.now();
    private final SignInThrottle throttle = new SignInThrottle(clock);

    @Test
    void fourFailuresInARowAreFreeAndTheFifthLocksTheNameForThirtySeconds() {
        for (int i = 1; i < SignInThrottle.FREE_FAILURES; i++) {
            throttle.failed("ops");
            assertThat(throttle.lockedFor("ops")).as("after failure %d", i).isEmpty();
        }
        throttle.failed("ops");

        assertThat(throttle.lockedFor("ops")).contains(Duration.ofSeconds(30));
        assertThat(throttle.lockedFor("someone-else")).isEmpty();
        clock.advance(Duration.ofSeconds(29));
        assertThat(throttle.lockedFor("ops")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.lockedFor("ops")).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheLockUpToFiveMinutes() {
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            throttle.failed("ops");
        }
        clock.advance(Duration.ofSeconds(30));
        throttle.failed("ops");
        assertThat(throttle.lockedFor("ops")).contains(Duration.ofSeconds(60));

        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 4)).isEqualTo(Duration.ofMinutes(5));
        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 40)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aSuccessClearsTheFailuresAndSoDoFifteenQuietMinutes() {
        for (int i = 1; i < SignInThrottle.FREE_FAILURES; i++) {
            throttle.failed("ops");
        }
        throttle.succeeded("ops");
        throttle.failed("ops");
        assertThat(throttle.lockedFor("ops")).as("one failure after a success").isEmpty();

        for (int i = 2; i < SignInThrottle.FREE_FAILURES; i++) {
            throttle.failed("ops");
        }
        clock.advance(SignInThrottle.FORGET_AFTER.plusSeconds(1));
        throttle.failed("ops");
        assertThat(throttle.lockedFor("ops")).as("the count started again after a quiet spell").isEmpty();
    }
}
