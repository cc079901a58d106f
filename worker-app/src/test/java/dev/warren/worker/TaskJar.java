package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.task.TaskModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A team's task jar, built by a test at run time: Java sources compiled with the JDK's compiler
 * against the test class path, plus a {@code META-INF/services/dev.warren.core.task.TaskModule}
 * file. Its classes are on no class path but the jar's, so loading them proves the worker loaded
 * the jar. Also writes the same content as a classes directory.
 */
final class TaskJar {

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> services = new ArrayList<>();

    /** Adds the class {@code className} with source {@code source}. */
    TaskJar source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /** Lists {@code className} in the services file (it need not exist). */
    TaskJar service(String className) {
        services.add(className);
        return this;
    }

    /** Compiles and writes {@code jar}; returns it. */
    Path writeJar(Path jar) throws IOException {
        Path classes = writeClasses(Files.createTempDirectory(jar.getParent(), "classes"));
        try (OutputStream file = Files.newOutputStream(jar); var out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(classes)) {
            for (Path path : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(path));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Compiles into {@code directory} and writes the services file there: a classes directory; returns it. */
    Path writeClasses(Path directory) throws IOException {
        Path sourceDir = Files.createTempDirectory(directory.getParent(), "sources");
        List<String> arguments = new ArrayList<>(List.of("-d", directory.toString(),
                "-classpath", System.getProperty("java.class.path"), "-proc:none", "-nowarn"));
        for (Map.Entry<String, String> entry : sources.entrySet()) {
            Path file = sourceDir.resolve(entry.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, entry.getValue());
            arguments.add(file.toString());
        }
        if (!sources.isEmpty()) {
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            assertThat(compiler).as("a JDK's compiler (tests need a JDK, not a JRE)").isNotNull();
            var errors = new ByteArrayOutputStream();
            int status = compiler.run(null, errors, errors, arguments.toArray(String[]::new));
            assertThat(status).as("compiling the test's task module: %s", errors).isZero();
        }
        Path servicesFile = directory.resolve("META-INF/services/" + TaskModule.class.getName());
        Files.createDirectories(servicesFile.getParent());
        Files.writeString(servicesFile, String.join("\n", services) + "\n", StandardCharsets.UTF_8);
        return directory;
    }

    /**
     * Source of a module {@code pkg.Name} that registers each of {@code types}; each handler logs
     * {@code "<type> ran <message id>"} and returns nothing. At WARN: worker-app's logging shows
     * loggers outside Warren from WARN up.
     */
    static String module(String className, String... types) {
        int dot = className.lastIndexOf('.');
        StringBuilder bindings = new StringBuilder();
        for (String type : types) {
            bindings.append("        bindTask(\"").append(type).append("\", JsonNode.class, Logging.class);\n");
        }
        return """
                package %s;

                import com.fasterxml.jackson.databind.JsonNode;
                import dev.warren.core.task.TaskContext;
                import dev.warren.core.task.TaskHandler;
                import dev.warren.core.task.TaskModule;

                public final class %s extends TaskModule {
                    @Override
                    protected void configureTasks() {
                %s    }

                    public static final class Logging implements TaskHandler<JsonNode, Void> {
                        @Override
                        public Void handle(JsonNode payload, TaskContext context) {
                            org.slf4j.LoggerFactory.getLogger(%s.class)
                                    .warn("{} ran {}", context.taskType(), context.messageId());
                            return null;
                        }
                    }
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), bindings, className.substring(dot + 1));
    }
}
