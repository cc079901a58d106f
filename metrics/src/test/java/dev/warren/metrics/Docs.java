package dev.warren.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The repository's docs/ files that the metrics tests check: Prometheus config, alert rules, dashboard, compose file. */
final class Docs {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Docs() {
    }

    /** {@code docs/} of the repository, found upwards from the working directory (the module's). */
    static Path dir() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path docs = at.resolve("docs");
            if (Files.isRegularFile(docs.resolve("prometheus/alerts.yml"))) {
                return docs;
            }
        }
        throw new IllegalStateException("no docs/prometheus/alerts.yml above " + Path.of("").toAbsolutePath());
    }

    static Path file(String relative) {
        return dir().resolve(relative);
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read docs/" + relative, e);
        }
    }

    static JsonNode json(String relative) {
        try {
            return JSON.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read docs/" + relative, e);
        }
    }

    static String text(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read docs/" + relative, e);
        }
    }

    /** Every alert's expression in docs/prometheus/alerts.yml, by alert name. */
    static Map<String, String> alertExpressions() {
        Map<String, String> result = new LinkedHashMap<>();
        for (JsonNode group : yaml("prometheus/alerts.yml").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                result.put(rule.path("alert").asText(rule.path("record").asText()), rule.path("expr").asText());
            }
        }
        return result;
    }

    /** Every query of docs/grafana/warren-dashboard.json: panel targets and templating variables, each named by where it is. */
    static Map<String, String> dashboardQueries() {
        JsonNode dashboard = json("grafana/warren-dashboard.json");
        Map<String, String> result = new LinkedHashMap<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                result.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                result.put("variable " + variable.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        return result;
    }

    /** Panels, including those nested in rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            result.add(panel);
            panel.path("panels").forEach(result::add);
        }
        return result;
    }
}
