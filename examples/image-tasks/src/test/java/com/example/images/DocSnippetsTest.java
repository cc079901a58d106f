package com.example.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java snippets of the docs are this example's code, so they compile and run: README's marked
 * ones and every one of docs/task-authors.md appear in its sources (whitespace aside), and every
 * one of docs/testing-tasks.md is a tagged region of its tests.
 */
class DocSnippetsTest {

    /** Put on the line before a README java block that must be this example's code. */
    static final String README_MARK = "<!-- code: examples/image-tasks -->";

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern MARKED_JAVA_BLOCK =
            Pattern.compile(Pattern.quote(README_MARK) + "\n```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAGGED = Pattern.compile("// tag::\\w+\\[]\n(.*?)\\s*// end::\\w+\\[]", Pattern.DOTALL);
    private static final Path TESTS = Path.of("src/test/java/com/example/images");

    @Test
    void readmeSnippetsMarkedForTheExampleAreItsCode() throws IOException {
        String readme = Files.readString(projectFile("README.md"));

        List<String> snippets = blocks(MARKED_JAVA_BLOCK, readme);

        assertThat(snippets).as("README java blocks marked %s", README_MARK).hasSizeGreaterThanOrEqualTo(4);
        assertAllInSources(snippets);
    }

    @Test
    void everyTaskAuthorsSnippetIsTheExamplesCode() throws IOException {
        List<String> snippets = blocks(JAVA_BLOCK, Files.readString(projectFile("docs/task-authors.md")));

        assertThat(snippets).isNotEmpty();
        assertAllInSources(snippets);
    }

    @Test
    void everyTestingTasksSnippetIsATaggedRegionOfTheExampleTests() throws IOException {
        List<String> tagged = new ArrayList<>();
        for (String file : List.of("ImageTasksTest.java", "ImageTasksOnBrokerTest.java")) {
            Matcher region = TAGGED.matcher(Files.readString(TESTS.resolve(file)));
            while (region.find()) {
                tagged.add(region.group(1).replaceAll("(?m)^    ", "").strip());
            }
        }

        List<String> snippets = blocks(JAVA_BLOCK, Files.readString(projectFile("docs/testing-tasks.md")));

        assertThat(snippets).hasSize(tagged.size()).isNotEmpty();
        snippets.forEach(snippet -> assertThat(tagged).as("a tagged region of the example tests").contains(snippet.strip()));
    }

    private static void assertAllInSources(List<String> snippets) throws IOException {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java")), Files.walk(Path.of("src/test/java")))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                sources.add(normalized(Files.readString(file)));
            }
        }
        List<String> missing = snippets.stream()
                .filter(snippet -> sources.stream().noneMatch(source -> source.contains(normalized(snippet))))
                .toList();
        assertThat(missing).as("snippets found in no source of examples/image-tasks (whitespace aside)").isEmpty();
    }

    private static List<String> blocks(Pattern pattern, String markdown) {
        List<String> found = new ArrayList<>();
        Matcher block = pattern.matcher(markdown);
        while (block.find()) {
            found.add(block.group(1));
        }
        return found;
    }

    private static String normalized(String code) {
        return code.replaceAll("\\s+", " ").strip();
    }

    private static Path projectFile(String relative) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve(relative);
            if (Files.exists(candidate) && Files.exists(at.resolve("mvnw"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
