package dev.warren.core.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a package, a built jar): without it the test fails under CI
 * and is skipped elsewhere, with a message saying what is missing. CI is the environment variable
 * {@value #CI_VARIABLE} set to anything but {@code false} or {@code 0}, as CI services and
 * {@code .ci/run} set it: a CI machine that lacks something must not pass by skipping.
 */
public final class Requirements {

    /** Set (to anything but {@code false} or {@code 0}) by CI services and {@code .ci/run}. */
    public static final String CI_VARIABLE = "CI";

    private Requirements() {
    }

    /**
     * Returns if {@code met}; otherwise fails the test under CI and skips it elsewhere.
     *
     * @param missing what is missing and how to get it, e.g. "the rabbitmq-server package (apt-get install rabbitmq-server)"
     * @throws AssertionError under CI when not met; elsewhere JUnit's abort (a skip)
     */
    public static void require(boolean met, String missing) {
        require(met, missing, System.getenv(CI_VARIABLE));
    }

    /** {@link #require(boolean, String)} given the value of {@value #CI_VARIABLE}. */
    static void require(boolean met, String missing, String ci) {
        if (met) {
            return;
        }
        if (underCi(ci)) {
            throw new AssertionError("this test needs " + missing + ". Under CI (" + CI_VARIABLE + "=" + ci
                    + ") it fails instead of skipping; bash .ci/run installs and builds what the tests need.");
        }
        Assumptions.abort("this test needs " + missing + ". Skipped, not failed, because " + CI_VARIABLE
                + " is not set (under CI it fails).");
    }

    private static boolean underCi(String value) {
        return value != null && !value.isBlank() && !value.equalsIgnoreCase("false") && !value.equals("0");
    }
}
