package com.example.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.task.TaskModule;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * This example's jar, as {@code mvn package} would make it, written from its compiled classes: the
 * test phase runs before {@code package}, so the test builds the jar it hands to {@code --tasks}.
 */
final class ExampleJar {

    private ExampleJar() {
    }

    /** Writes the example's classes and resources (the services file among them) to {@code jar}; returns it. */
    static Path write(Path jar) throws IOException {
        Path classes = classesDirectory();
        assertThat(classes.resolve("META-INF/services/" + TaskModule.class.getName()))
                .as("the services file in %s", classes).isRegularFile();
        try (OutputStream file = Files.newOutputStream(jar); var out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(classes)) {
            for (Path path : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                Files.copy(path, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Path classesDirectory() {
        try {
            Path location = Path.of(ImageTasks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertThat(location).as("ImageTasks is loaded from a classes directory, not a jar").isDirectory();
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
