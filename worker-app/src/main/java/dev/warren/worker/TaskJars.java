package dev.warren.worker;

import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.task.TaskModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the entries of {@code --tasks} name, checked before anything is loaded: a {@code .jar}
 * file; a folder holding {@value #SERVICES_FILE} (a classes directory, such as a build's
 * {@code target/classes}); or any other folder, meaning every {@code .jar} directly inside it,
 * in name order (a team's jar next to the libraries it needs).
 */
final class TaskJars {

    /** The services file that names a jar's {@link TaskModule}s, one class name per line. */
    static final String SERVICES_FILE = "META-INF/services/" + TaskModule.class.getName();

    private TaskJars() {
    }

    /**
     * The jars and classes directories {@code entries} name, in order.
     *
     * @throws InvalidSettingException for an entry that does not exist, is neither a {@code .jar}
     *                                 nor a folder, or is a folder with neither jars nor a services file
     */
    static List<Path> resolve(List<String> entries) {
        List<Path> found = new ArrayList<>();
        for (String entry : entries == null ? List.<String>of() : entries) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = path(entry.trim());
            if (!Files.exists(path)) {
                throw new InvalidSettingException("--tasks: " + path + " does not exist; give a .jar file or a folder"
                        + " of them");
            }
            if (Files.isDirectory(path)) {
                found.addAll(folder(path));
            } else if (path.getFileName().toString().endsWith(".jar")) {
                found.add(path);
            } else {
                throw new InvalidSettingException("--tasks: " + path + " is neither a .jar file nor a folder");
            }
        }
        return found;
    }

    private static List<Path> folder(Path folder) {
        if (Files.isRegularFile(folder.resolve(SERVICES_FILE))) {
            return List.of(folder);
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> jars = files.filter(file -> file.getFileName().toString().endsWith(".jar"))
                    .filter(Files::isRegularFile).sorted().toList();
            if (jars.isEmpty()) {
                throw new InvalidSettingException("--tasks: folder " + folder + " holds no .jar file and no "
                        + SERVICES_FILE);
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("--tasks: cannot list folder " + folder, e);
        }
    }

    private static Path path(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidSettingException("--tasks: '" + entry + "' is not a path: " + e.getMessage());
        }
    }
}
