package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.test.TestClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    private final TestClock clock = TestClock.now();
    private final SignInThrottle throttle = new SignInThrottle(clock);

    @Test
    void fourFailuresInARowAreFreeAndTheFifthLocksTheNameForThirtySeconds() {
        for (int i = 1; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("ops");
            assertThat(throttle.lockedFor("ops")).as("after failure %d", i).isEmpty();
        }
        fail("ops");

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
            fail("ops");
        }
        clock.advance(Duration.ofSeconds(30));
        fail("ops");
        assertThat(throttle.lockedFor("ops")).contains(Duration.ofSeconds(60));

        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 4)).isEqualTo(Duration.ofMinutes(5));
        assertThat(SignInThrottle.lock(SignInThrottle.FREE_FAILURES + 40)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aSuccessClearsTheFailuresAndSoDoFifteenQuietMinutes() {
        for (int i = 1; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("ops");
        }
        assertThat(throttle.reserve("ops")).isEmpty();
        throttle.succeeded("ops");
        fail("ops");
        assertThat(throttle.lockedFor("ops")).as("one failure after a success").isEmpty();

        for (int i = 2; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("ops");
        }
        clock.advance(SignInThrottle.FORGET_AFTER.plusSeconds(1));
        fail("ops");
        assertThat(throttle.lockedFor("ops")).as("the count started again after a quiet spell").isEmpty();
    }

    @Test
    void atMostAsManyAttemptsAsMayStillFailAreInFlightAtOnce() {
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            assertThat(throttle.reserve("ops")).as("attempt %d", i + 1).isEmpty();
        }
        assertThat(throttle.reserve("ops")).contains(new SignInThrottle.Refusal(false, SignInThrottle.IN_FLIGHT_WAIT));
        assertThat(throttle.reserve("someone-else")).isEmpty();

        throttle.failed("ops");
        assertThat(throttle.reserve("ops")).as("one failed: four may still fail, four are in flight").isPresent();
        throttle.released("ops");
        assertThat(throttle.reserve("ops")).as("one ended without an answer from the broker").isEmpty();
        for (int i = 0; i < 4; i++) {
            throttle.failed("ops");
        }
        assertThat(throttle.lockedFor("ops")).contains(SignInThrottle.FIRST_LOCK);
        assertThat(throttle.reserve("ops")).contains(new SignInThrottle.Refusal(true, SignInThrottle.FIRST_LOCK));
    }

    @Test
    void onceALockRunsOutOneAttemptAtATimeMayTry() {
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("ops");
        }
        clock.advance(SignInThrottle.FIRST_LOCK);

        assertThat(throttle.reserve("ops")).isEmpty();
        assertThat(throttle.reserve("ops")).isPresent();
        throttle.succeeded("ops");
        assertThat(throttle.reserve("ops")).as("a success clears the failures").isEmpty();
        assertThat(throttle.reserve("ops")).isEmpty();
    }

    @Test
    void parallelReservationsForOneNameLetThroughOnlyTheFreeFailures() throws Exception {
        int threads = 64;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger reserved = new AtomicInteger();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                executor.submit(() -> {
                    start.await();
                    if (throttle.reserve("ops").isEmpty()) {
                        reserved.incrementAndGet();
                    }
                    return null;
                });
            }
            start.countDown();
        }
        assertThat(reserved).hasValue(SignInThrottle.FREE_FAILURES);
    }

    @Test
    void aFloodOfMadeUpNamesNeverDropsALockButForgetsTheOldestUnlockedRecords() {
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("ops");
        }
        for (int i = 1; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("early");
        }
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < SignInThrottle.MAX_NAMES; i++) {
            fail("made-up-" + i);
        }
        clock.advance(Duration.ofSeconds(1));
        for (int i = 1; i < SignInThrottle.FREE_FAILURES; i++) {
            fail("late");
        }

        assertThat(throttle.lockedFor("ops")).as("the locked name").contains(SignInThrottle.FIRST_LOCK.minusSeconds(2));
        fail("early");
        assertThat(throttle.lockedFor("early")).as("the oldest unlocked record was dropped").isEmpty();
        fail("late");
        assertThat(throttle.lockedFor("late")).as("a recent record was kept").contains(SignInThrottle.FIRST_LOCK);
    }

    /** One attempt as the console makes it: reserved, then refused by the broker. */
    private void fail(String user) {
        assertThat(throttle.reserve(user)).as("reserve an attempt as %s", user).isEmpty();
        throttle.failed(user);
    }
}
