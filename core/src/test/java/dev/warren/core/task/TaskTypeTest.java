package dev.warren.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.warren.core.config.InvalidSettingException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskTypeTest {

    record ResizeImage(String imageUrl, int width) {
    }

    record ResizeResult(String resizedUrl) {
    }

    @Test
    void aTaskTypeNamesItsPayloadAndResultTypes() {
        TaskType<ResizeImage, ResizeResult> resize = TaskType.of("resize_image", ResizeImage.class, ResizeResult.class);
        TaskType<ResizeImage, Void> fireAndForget = TaskType.of("resize_image", ResizeImage.class);
        TaskType<ResizeImage, List<ResizeResult>> many = TaskType.of("resize_many", ResizeImage.class,
                new TypeReference<List<ResizeResult>>() { });

        assertThat(resize.name()).isEqualTo("resize_image");
        assertThat(resize.payloadClass()).isEqualTo(ResizeImage.class);
        assertThat(resize.resultType()).isEqualTo(ResizeResult.class);
        assertThat(fireAndForget.resultType()).isEqualTo(Void.class);
        assertThat(many.resultType().getTypeName()).isEqualTo("java.util.List<" + ResizeResult.class.getName() + ">");
        assertThat(resize).isEqualTo(TaskType.of("resize_image", ResizeImage.class, ResizeResult.class))
                .isNotEqualTo(fireAndForget);
        assertThat(many).isEqualTo(TaskType.of("resize_many", ResizeImage.class, new TypeReference<List<ResizeResult>>() { }));
    }

    @Test
    void aBadNameFailsAtCreationSayingWhatIsAllowed() {
        String allowed = "task type name must be a non-blank string of at most 255 bytes of UTF-8 without control"
                + " characters or surrounding whitespace, was ";
        assertThatThrownBy(() -> TaskType.of("", ResizeImage.class)).isInstanceOf(InvalidSettingException.class)
                .hasMessage(allowed + "''");
        assertThatThrownBy(() -> TaskType.of(null, ResizeImage.class)).hasMessage(allowed + "null");
        assertThatThrownBy(() -> TaskType.of(" resize", ResizeImage.class)).hasMessage(allowed + "' resize'");
        assertThatThrownBy(() -> TaskType.of("resize\nINFO forged", ResizeImage.class))
                .hasMessage(allowed + "'resize?INFO forged'");
        assertThatThrownBy(() -> TaskType.of("é".repeat(128), ResizeImage.class))
                .hasMessageStartingWith(allowed).hasMessageEndingWith("...' (128 characters)");
        assertThat(TaskType.of("é".repeat(127), ResizeImage.class).name()).hasSize(127);
    }
}
