package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.config.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in and sign-out, as a form ({@code /sign-in}, {@code /sign-out}) and as JSON
 * ({@code /api/session}). Credentials are checked against the broker: the management API's
 * {@code /api/whoami} with them must answer. The password is kept only in the session's
 * {@link UserBroker}; it is never logged, echoed or put in a URL. Repeated failures for one user
 * name lock it for a while ({@link SignInThrottle}): HTTP 429, the broker not asked.
 */
final class SignIn {

    static final String WRONG_CREDENTIALS = "wrong user name or password";
    private static final Logger log = LoggerFactory.getLogger(SignIn.class);
    private static final String HOME = Pages.Page.OVERVIEW.path;

    private final ConsoleSettings settings;
    private final HttpClient http;
    private final Sessions sessions;
    private final SignInThrottle throttle;

    SignIn(ConsoleSettings settings, HttpClient http, Sessions sessions, SignInThrottle throttle) {
        this.settings = settings;
        this.http = http;
        this.sessions = sessions;
        this.throttle = throttle;
    }

    void addTo(Routes routes) {
        routes.add("GET", ConsoleHttp.SIGN_IN_PATH, Routes.Access.PUBLIC, this::form)
                .add("POST", ConsoleHttp.SIGN_IN_PATH, Routes.Access.PUBLIC, this::signInForm)
                .add("POST", "/sign-out", Routes.Access.PAGE, this::signOut)
                .add("POST", "/api/session", Routes.Access.PUBLIC, this::signInJson)
                .add("GET", "/api/session", Routes.Access.API, request -> Reply.json(describe(request.session())))
                .add("DELETE", "/api/session", Routes.Access.API, request -> {
                    sessions.end(request.session());
                    return Reply.json(Map.of("signed_out", true)).withHeader("Set-Cookie", clearedCookie());
                });
    }

    private Reply form(ConsoleRequest request) {
        if (request.optionalSession().isPresent()) {
            return Reply.redirect(HOME);
        }
        return Reply.html(200, Pages.signIn(null, "", safeNext(request.param("next").orElse(null))));
    }

    private Reply signInForm(ConsoleRequest request) throws IOException {
        Map<String, String> form = request.form();
        String user = form.getOrDefault("user", "");
        String next = safeNext(form.get("next"));
        try {
            request.optionalSession().ifPresent(sessions::end);
            Session session = start(user, form.getOrDefault("password", ""));
            return Reply.redirect(next).withHeader("Set-Cookie", cookie(session));
        } catch (TooManyFailures e) {
            return Reply.html(429, Pages.signIn(e.getMessage(), user, next));
        } catch (AccessRefusedException e) {
            return Reply.html(401, Pages.signIn(e.getMessage(), user, next));
        } catch (IOException e) {
            log.warn("sign-in as '{}' not checked: {}", user, e.toString());
            return Reply.html(502, Pages.signIn(ConsoleHttp.brokerFailed(e), user, next));
        }
    }

    private Reply signInJson(ConsoleRequest request) throws IOException {
        JsonNode body = request.json();
        try {
            request.optionalSession().ifPresent(sessions::end);
            Session session = start(body.path("user").asText(""), body.path("password").asText(""));
            return Reply.json(describe(session)).withHeader("Set-Cookie", cookie(session));
        } catch (TooManyFailures e) {
            return Reply.error(429, e.getMessage());
        } catch (AccessRefusedException e) {
            return Reply.error(401, e.getMessage());
        }
    }

    private Reply signOut(ConsoleRequest request) {
        sessions.end(request.session());
        return Reply.redirect(ConsoleHttp.SIGN_IN_PATH).withHeader("Set-Cookie", clearedCookie());
    }

    /**
     * Checks the credentials with the broker and starts a session.
     *
     * @throws AccessRefusedException with the message to show when the broker refuses them
     * @throws TooManyFailures         when the user name is locked after repeated failures, or as many
     *                                 attempts as may still fail before the lock are being checked
     * @throws IOException             when the management API cannot be reached (the attempt is not counted)
     */
    private Session start(String user, String password) throws IOException {
        if (user.isBlank() || password.isEmpty()) {
            throw new AccessRefusedException(WRONG_CREDENTIALS);
        }
        // Reserved before the broker is asked, atomically with the failure count: parallel guesses cannot all get through.
        Optional<SignInThrottle.Refusal> refusal = throttle.reserve(user);
        if (refusal.isPresent()) {
            throw tooMany(user, refusal.get());
        }
        UserBroker broker = new UserBroker(settings, http, user, password);
        try {
            broker.management().get("/api/whoami");
        } catch (AccessRefusedException e) {
            // The reservation ends first: were close() to throw, the name would otherwise keep an attempt in flight for good.
            throttle.failed(user);
            broker.close();
            log.info("sign-in refused for '{}': {}", user, e.getMessage());
            throw new AccessRefusedException(e.getMessage().contains("Not management user")
                    ? "user '" + user + "' may not use the management API: give it the 'management' tag (or"
                            + " 'monitoring' to see every worker)"
                    : WRONG_CREDENTIALS);
        } catch (IOException | RuntimeException e) {
            throttle.released(user);
            broker.close();
            throw e;
        }
        throttle.succeeded(user);
        return sessions.start(broker);
    }

    private static TooManyFailures tooMany(String user, SignInThrottle.Refusal refusal) {
        String wait = Math.max(1, refusal.retryAfter().toSeconds()) + " s";
        if (refusal.locked()) {
            log.info("sign-in as '{}' not tried: locked for {} after {} or more failures in a row", user,
                    Durations.format(refusal.retryAfter()), SignInThrottle.FREE_FAILURES);
            return new TooManyFailures("too many failed sign-ins as '" + user + "': try again in " + wait);
        }
        log.info("sign-in as '{}' not tried: as many attempts as may still fail before the lock are being checked", user);
        return new TooManyFailures("too many sign-ins as '" + user + "' at once: try again in " + wait);
    }

    /** A sign-in not even tried: the user name is locked by {@link SignInThrottle}, or would be by the attempts in flight. */
    private static final class TooManyFailures extends RuntimeException {
        TooManyFailures(String message) {
            super(message);
        }
    }

    private static Map<String, String> describe(Session session) {
        return Map.of("user", session.user(), "csrf_token", session.csrfToken());
    }

    private String cookie(Session session) {
        return ConsoleHttp.SESSION_COOKIE + "=" + session.token() + "; Path=/; HttpOnly; SameSite=Strict"
                + (settings.behindTls() ? "; Secure" : "");
    }

    private String clearedCookie() {
        return ConsoleHttp.SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
                + (settings.behindTls() ? "; Secure" : "");
    }

    /**
     * {@code next} when it is a path of this console, else the overview: never anything a browser
     * could take for another host (no open redirect). Browsers drop tabs and line breaks from URLs
     * and read {@code \} as {@code /}, so {@code /<tab>/evil.example} and {@code /\evil.example} are
     * {@code //evil.example} to them: a path with a control character, white space or backslash is
     * refused outright, as is one that {@link URI} parses with an authority or a scheme.
     */
    private static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//")
                || next.chars().anyMatch(c -> c == '\\' || Character.isISOControl(c) || Character.isWhitespace(c)
                        || Character.isSpaceChar(c))) {
            return HOME;
        }
        try {
            URI uri = new URI(next);
            return uri.getScheme() == null && uri.getRawAuthority() == null ? next : HOME;
        } catch (URISyntaxException e) {
            return HOME;
        }
    }
}
