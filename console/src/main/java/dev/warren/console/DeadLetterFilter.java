package dev.warren.console;

import dev.warren.retry.DeadLetter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which dead letters a list or bulk action covers. Every part is optional; all given parts must match.
 *
 * @param type  task type, exactly
 * @param error text in the error class name ({@code x-warren-error}), case-insensitive
 * @param text  text in the error message or the payload, case-insensitive
 * @param since failed at or after this instant
 * @param until failed before this instant
 */
record DeadLetterFilter(String type, String error, String text, Instant since, Instant until)
        implements Predicate<DeadLetter> {

    /** The filter of a request's {@code type}, {@code error}, {@code text}, {@code since} and {@code until} parameters. */
    static DeadLetterFilter of(ConsoleRequest request) {
        return new DeadLetterFilter(request.param("type").orElse(null), request.param("error").orElse(null),
                request.param("text").orElse(null), instant(request, "since"), instant(request, "until"));
    }

    /** True when no part is given: every dead letter matches. */
    boolean matchesAll() {
        return type == null && error == null && text == null && since == null && until == null;
    }

    @Override
    public boolean test(DeadLetter letter) {
        if (type != null && !type.equals(letter.taskType())) {
            return false;
        }
        if (error != null && !contains(letter.error(), error)) {
            return false;
        }
        if (text != null && !contains(letter.errorMessage(), text) && !contains(letter.bodyText(), text)) {
            return false;
        }
        if (since != null || until != null) {
            Optional<Instant> failedAt = failedAt(letter);
            if (failedAt.isEmpty() || since != null && failedAt.get().isBefore(since)
                    || until != null && !failedAt.get().isBefore(until)) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Instant> failedAt(DeadLetter letter) {
        try {
            return Optional.ofNullable(letter.failedAt()).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static boolean contains(String haystack, String needle) {
        return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    private static Instant instant(ConsoleRequest request, String name) {
        return request.param(name).map(value -> {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-12-02T10:15:30Z, was '"
                        + value + "'");
            }
        }).orElse(null);
    }
}
