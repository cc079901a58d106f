package dev.warren.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.NoSuchElementException;

/** {@code GET /static/<name>}: the console's scripts and style sheet, from its jar. Only the files listed here. */
final class StaticFiles {

    private static final String PREFIX = "/static/";
    private static final Map<String, String> FILES = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "overview.js", "text/javascript; charset=utf-8",
            "workers.js", "text/javascript; charset=utf-8",
            "dead-letters.js", "text/javascript; charset=utf-8",
            "types.js", "text/javascript; charset=utf-8",
            "task.js", "text/javascript; charset=utf-8");

    void addTo(Routes routes) {
        routes.add("GET", PREFIX + "*", Routes.Access.PUBLIC, this::serve);
    }

    private Reply serve(ConsoleRequest request) throws IOException {
        String name = request.path().substring(PREFIX.length());
        String type = FILES.get(name);
        if (type == null) {
            throw new NoSuchElementException("no static file " + name);
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("static/" + name + " is missing from the console's jar");
            }
            return new Reply(200, type, Map.of(), in.readAllBytes());
        }
    }
}
