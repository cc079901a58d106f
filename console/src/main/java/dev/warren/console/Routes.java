package dev.warren.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The console's routes: method, path (exact, or a prefix when it ends in {@code /*}), who may
 * call it, and the endpoint.
 */
final class Routes {

    /** Who may call a route. */
    enum Access {
        /** Anyone: the sign-in form, static files. */
        PUBLIC,
        /** A signed-in user; others are sent to the sign-in form. */
        PAGE,
        /** A signed-in user; others get HTTP 401. */
        API
    }

    /** One route. */
    record Route(String method, String path, Access access, Endpoint endpoint) {

        boolean matches(String requestMethod, String requestPath) {
            if (!method.equals(requestMethod)) {
                return false;
            }
            return path.endsWith("/*") ? requestPath.startsWith(path.substring(0, path.length() - 1))
                    && requestPath.length() > path.length() - 1 : path.equals(requestPath);
        }
    }

    private final List<Route> routes = new ArrayList<>();

    Routes add(String method, String path, Access access, Endpoint endpoint) {
        routes.add(new Route(method, path, access, endpoint));
        return this;
    }

    Optional<Route> find(String method, String path) {
        return routes.stream().filter(route -> route.matches(method, path)).findFirst();
    }

    /** Whether some route serves {@code path} with another method (405 rather than 404). */
    boolean knowsPath(String path) {
        return routes.stream().anyMatch(route -> route.matches(route.method(), path));
    }
}
