package dev.warren.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every Java snippet of docs/testing-tasks.md is code of the example tests, so it compiles and runs. */
class TestingDocTest {

    private static final Path EXAMPLES = Path.of("src/test/java/dev/warren/test/example");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAGGED = Pattern.compile("// tag::\\w+\\[]\n(.*?)\\s*// end::\\w+\\[]", Pattern.DOTALL);

    @Test
    void everyJavaSnippetIsCopiedFromAnExampleTest() throws IOException {
        String doc = Files.readString(doc());
        List<String> tagged = new ArrayList<>();
        for (String file : List.of("ImageTasksTest.java", "ImageTasksOnBrokerTest.java")) {
            Matcher region = TAGGED.matcher(Files.readString(EXAMPLES.resolve(file)));
            while (region.find()) {
                tagged.add(region.group(1).replaceAll("(?m)^    ", "").strip());
            }
        }
        Matcher snippet = JAVA_BLOCK.matcher(doc);
        int snippets = 0;
        while (snippet.find()) {
            snippets++;
            assertThat(tagged).as("a tagged region of the example tests").contains(snippet.group(1).strip());
        }
        assertThat(snippets).isEqualTo(tagged.size()).isPositive();
    }

    private static Path doc() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("docs/testing-tasks.md");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/testing-tasks.md not found above " + Path.of("").toAbsolutePath());
    }
}
