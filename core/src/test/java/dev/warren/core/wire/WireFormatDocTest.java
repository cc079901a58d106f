package dev.warren.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/wire-format.md, the reference that other clients and Warren's own comments cite, names
 * every header of {@link TaskHeaders} and every field of the result message.
 */
class WireFormatDocTest {

    @Test
    void theDocumentListsEveryWarrenHeader() throws Exception {
        String doc = Files.readString(wireFormatDoc());
        List<String> headers = new ArrayList<>();
        for (Field field : TaskHeaders.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.get(null) instanceof String value
                    && value.startsWith("x-warren-")) {
                headers.add(value);
            }
        }

        assertThat(headers).isNotEmpty();
        for (String header : headers) {
            assertThat(doc).as("docs/wire-format.md names header %s in its table", header)
                    .contains("| `" + header + "` |");
        }
    }

    @Test
    void theDocumentListsEveryFieldOfTheResultMessage() throws Exception {
        String doc = Files.readString(wireFormatDoc());

        for (RecordComponent component : TaskResult.class.getRecordComponents()) {
            JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
            String name = property != null ? property.value() : component.getName();
            assertThat(doc).as("docs/wire-format.md names result field %s in its table", name)
                    .contains("| `" + name + "` |");
        }
    }

    private static Path wireFormatDoc() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("docs/wire-format.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no docs/wire-format.md above " + Path.of("").toAbsolutePath());
    }
}
