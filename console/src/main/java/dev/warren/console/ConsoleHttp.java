package dev.warren.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request passes here: finds the session from its cookie, refuses what the request may not
 * do (no session, a cross-origin or CSRF-less state change), calls the endpoint and turns the
 * broker's refusals into HTTP 403. Adds headers that keep pages out of frames and caches.
 */
final class ConsoleHttp implements HttpHandler {

    static final String SESSION_COOKIE = "warren_console";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CSRF_FIELD = "csrf";
    static final String SIGN_IN_PATH = "/sign-in";
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "DELETE", "PATCH");
    private static final Logger log = LoggerFactory.getLogger(ConsoleHttp.class);

    private final Routes routes;
    private final Sessions sessions;
    private final ConsoleSettings settings;

    ConsoleHttp(Routes routes, Sessions sessions, ConsoleSettings settings) {
        this.routes = routes;
        this.sessions = sessions;
        this.settings = settings;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Reply reply;
            try {
                reply = answer(exchange);
            } catch (RuntimeException e) {
                log.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
                reply = Reply.error(500, "the console failed: " + FailureMessages.describe(e));
            }
            send(exchange, reply);
        }
    }

    private Reply answer(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Optional<Routes.Route> found = routes.find(method, path);
        if (found.isEmpty()) {
            return routes.knowsPath(path) ? Reply.error(405, method + " is not allowed on " + path)
                    : Reply.error(404, "no such page or API: " + path);
        }
        Routes.Route route = found.get();
        Session session = cookie(exchange, SESSION_COOKIE).flatMap(sessions::find).orElse(null);
        ConsoleRequest request = new ConsoleRequest(exchange, session);
        if (route.access() != Routes.Access.PUBLIC && session == null) {
            return route.access() == Routes.Access.PAGE
                    ? Reply.redirect(SIGN_IN_PATH + "?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8))
                    : Reply.error(401, "sign in first");
        }
        try {
            if (STATE_CHANGING.contains(method)) {
                // Sign-in has no CSRF token to check (no session yet, or one it replaces): origin checks only.
                Optional<String> refusal = refuseStateChange(exchange, request,
                        route.access() == Routes.Access.PUBLIC ? null : session);
                if (refusal.isPresent()) {
                    log.warn("refused {} {}: {}", method, path, refusal.get());
                    return Reply.error(403, refusal.get());
                }
            }
            return route.endpoint().answer(request);
        } catch (NoSuchElementException e) {
            return Reply.error(404, e.getMessage());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        } catch (Exception e) {
            if (Refusals.isAccessRefused(e)) {
                return Reply.error(403, "the broker refused: " + Refusals.describe(e));
            }
            log.warn("{} {} failed: {}", method, path, e.toString());
            return Reply.error(502, brokerFailed(e));
        }
    }

    /** The message of a request that failed in the broker or its management API (HTTP 502). */
    static String brokerFailed(Exception e) {
        return "the broker or its management API failed: " + FailureMessages.describe(e);
    }

    /** Why a state-changing request is refused: cross-origin, or (signed in) without the session's CSRF token. */
    private Optional<String> refuseStateChange(HttpExchange exchange, ConsoleRequest request, Session session)
            throws IOException {
        Headers headers = exchange.getRequestHeaders();
        String origin = headers.getFirst("Origin");
        if (origin != null) {
            Optional<String> refusal = refuseOrigin(origin, headers.getFirst("Host"));
            if (refusal.isPresent()) {
                return refusal;
            }
        }
        if ("cross-site".equals(headers.getFirst("Sec-Fetch-Site"))) {
            return Optional.of("cross-site request refused");
        }
        if (session == null) {
            return Optional.empty();
        }
        String token = headers.getFirst(CSRF_HEADER);
        if (token == null && String.valueOf(headers.getFirst("Content-Type")).startsWith("application/x-www-form-urlencoded")) {
            token = request.form().get(CSRF_FIELD);
        }
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("missing or wrong CSRF token (send the " + CSRF_HEADER + " header or the "
                    + CSRF_FIELD + " form field)");
        }
        return Optional.empty();
    }

    /**
     * Why a request from {@code origin} is refused: it is not {@code --public-origin} when that is set,
     * else not the origin the {@code Host} header names (which a proxy that rewrites Host breaks).
     */
    private Optional<String> refuseOrigin(String origin, String host) {
        if (settings.publicOrigin().isPresent()) {
            String accepted = settings.publicOrigin().get().toString();
            return origin.equals(accepted) ? Optional.empty() : Optional.of("cross-origin request from " + origin
                    + " refused: the console accepts only its --public-origin " + accepted);
        }
        String expected = (settings.behindTls() ? "https://" : "http://") + host;
        return origin.equals(expected) ? Optional.empty() : Optional.of("cross-origin request from " + origin
                + " refused: the console's origin is " + expected + " (from the Host header). If browsers reach it at "
                + origin + " through a proxy, start the console with --public-origin " + origin
                + " or have the proxy forward the Host header (nginx: proxy_set_header Host $host;)");
    }

    /** The value of a request cookie. */
    static Optional<String> cookie(HttpExchange exchange, String name) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String pair = part.strip();
                if (pair.startsWith(name + "=")) {
                    return Optional.of(pair.substring(name.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", reply.contentType());
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        // Not no-referrer: under it browsers send "Origin: null" with form posts, which the origin check refuses.
        headers.set("Referrer-Policy", "same-origin");
        headers.set("Content-Security-Policy",
                "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        reply.headers().forEach(headers::set);
        if (reply.stream() != null) {
            exchange.sendResponseHeaders(reply.status(), 0);   // 0: chunked, no Content-Length
            try (OutputStream out = exchange.getResponseBody()) {
                reply.stream().writeTo(out);
            }
            return;
        }
        byte[] body = reply.body();
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
