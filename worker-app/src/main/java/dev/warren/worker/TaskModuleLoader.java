package dev.warren.worker;

import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.task.TaskModule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds {@link TaskModule}s with {@link ServiceLoader}: every class named in a
 * {@value TaskJars#SERVICES_FILE} file on the class path or in the jars and folders of
 * {@code --tasks}. Those jars get one {@link URLClassLoader} whose parent is the app's class
 * loader, so a module sees Warren's classes and the libraries the app ships; it stays open until
 * {@link #close()}, because handlers load classes while tasks run.
 */
final class TaskModuleLoader implements AutoCloseable {

    private final URLClassLoader jars;
    private final ClassLoader loader;
    private final Set<String> taskPaths;

    private TaskModuleLoader(URLClassLoader jars, ClassLoader loader, List<Path> taskPaths) {
        this.jars = jars;
        this.loader = loader;
        this.taskPaths = taskPaths.stream().map(Path::toString).collect(Collectors.toSet());
    }

    /** A loader over the class path and {@code paths} (see {@link TaskJars#resolve}). */
    static TaskModuleLoader over(List<Path> paths) {
        ClassLoader app = TaskModuleLoader.class.getClassLoader();
        if (paths.isEmpty()) {
            return new TaskModuleLoader(null, app, paths);
        }
        URL[] urls = new URL[paths.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = paths.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new InvalidSettingException("--tasks: " + paths.get(i) + " cannot be read as a URL: " + e.getMessage());
            }
        }
        URLClassLoader jars = new URLClassLoader("warren-tasks", urls, app);
        return new TaskModuleLoader(jars, jars, paths);
    }

    /**
     * Creates every module listed in a services file, in class path order then {@code --tasks}
     * order, each with the jar or folder that listed it.
     *
     * @throws InvalidSettingException when a listed class is missing, is not a {@code TaskModule},
     *                                 has no public no-arg constructor, or its constructor throws,
     *                                 or when two {@code --tasks} jars list the same class
     */
    List<TaskModules.Found> load() {
        Map<String, List<String>> listings = listings();
        checkListedOnce(listings);
        List<TaskModules.Found> found = new ArrayList<>();
        try {
            Iterator<ServiceLoader.Provider<TaskModule>> providers =
                    ServiceLoader.load(TaskModule.class, loader).stream().iterator();
            while (providers.hasNext()) {
                ServiceLoader.Provider<TaskModule> provider = providers.next();
                String name = provider.type().getName();
                String origin = origin(listings, name);
                try {
                    found.add(new TaskModules.Found(provider.get(), origin));
                } catch (ServiceConfigurationError e) {
                    throw new InvalidSettingException("task module " + name + " (listed in " + origin
                            + ") cannot be created: " + reason(e));
                }
            }
        } catch (ServiceConfigurationError e) {
            // Thrown while looking a class up: find which listed class the message names.
            String named = listings.keySet().stream().filter(name -> String.valueOf(e.getMessage()).contains(name))
                    .max((a, b) -> Integer.compare(a.length(), b.length())).orElse(null);
            String where = named == null ? "" : " " + named + " (listed in " + origin(listings, named) + ")";
            throw new InvalidSettingException("task module" + where + " cannot be loaded: " + reason(e));
        }
        return found;
    }

    /**
     * The class loader of the task modules: the app's, with the {@code --tasks} jars when there
     * are any; it also resolves class names the flags give, such as {@code --retry-non-retryable}.
     */
    ClassLoader classLoader() {
        return loader;
    }

    /** Closes the class loader of the {@code --tasks} jars, if any. */
    @Override
    public void close() {
        if (jars != null) {
            try {
                jars.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the class loader of the --tasks jars", e);
            }
        }
    }

    /**
     * Fails when more than one {@code --tasks} jar or folder lists the same module class: two
     * versions of a team's jar side by side. Only the first on the path would load (a class name
     * loads once), so the other version would silently not run.
     */
    private void checkListedOnce(Map<String, List<String>> listings) {
        listings.forEach((name, where) -> {
            List<String> jarsListing = where.stream().distinct().filter(taskPaths::contains).toList();
            if (jarsListing.size() > 1) {
                throw new InvalidSettingException("task module " + name + " is listed by more than one --tasks jar: "
                        + String.join(" and ", jarsListing) + "; only one version of a class can run, so remove the"
                        + " other jars from --tasks (env WARREN_TASKS)");
            }
        });
    }

    /** Class name to the jars and folders whose services file lists it. */
    private Map<String, List<String>> listings() {
        Map<String, List<String>> listings = new LinkedHashMap<>();
        try {
            for (URL file : Collections.list(loader.getResources(TaskJars.SERVICES_FILE))) {
                try (var reader = new BufferedReader(new InputStreamReader(file.openStream(), StandardCharsets.UTF_8))) {
                    reader.lines().map(line -> line.replaceFirst("#.*", "").trim()).filter(line -> !line.isEmpty())
                            .forEach(name -> listings.computeIfAbsent(name, n -> new ArrayList<>()).add(location(file)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + TaskJars.SERVICES_FILE + " files", e);
        }
        return listings;
    }

    private static String origin(Map<String, List<String>> listings, String name) {
        List<String> where = listings.get(name);
        return where == null ? "the class path" : String.join(" and ", where);
    }

    /** The jar or folder holding a services file: {@code /x/a.jar} for {@code jar:file:/x/a.jar!/META-INF/...}. */
    private static String location(URL servicesFile) {
        String url = servicesFile.toString();
        if (url.startsWith("jar:") && url.contains("!/")) {
            url = url.substring("jar:".length(), url.indexOf("!/"));
        } else if (url.endsWith("/" + TaskJars.SERVICES_FILE)) {
            url = url.substring(0, url.length() - TaskJars.SERVICES_FILE.length() - 1);
        }
        try {
            return url.startsWith("file:") ? Path.of(URI.create(url)).toString() : url;
        } catch (IllegalArgumentException e) {
            return url; // not a plain file URL: show it as it is
        }
    }

    /** The error's message and its causes', one line: what the operator needs to fix the module. */
    private static String reason(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause);
        }
        return text.toString();
    }
}
