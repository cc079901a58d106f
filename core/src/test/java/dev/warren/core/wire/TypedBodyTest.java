package dev.warren.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.CoreModule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A typed payload goes on the wire as the same JSON a pika producer writes by hand, and back. */
class TypedBodyTest {

    record ResizeImage(String imageUrl, int width, List<String> formats, Crop crop) {
    }

    record Crop(int topLeftX, int topLeftY) {
    }

    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private final TaskCodec codec = new TaskCodec(mapper, Clock.systemUTC());

    @Test
    void aTypedPayloadIsTheHandBuiltBodyByteForByte() throws Exception {
        ResizeImage payload = new ResizeImage("https://img.example/cat.png", 640, List.of("webp", "png"),
                new Crop(10, 20));

        byte[] typed = codec.body("resize_image", codec.payload("resize_image", payload));

        byte[] handBuilt = codec.body("resize_image", mapper.createObjectNode()
                .put("image_url", "https://img.example/cat.png")
                .put("width", 640)
                .<ObjectNode>set("formats", mapper.createArrayNode().add("webp").add("png"))
                .set("crop", mapper.createObjectNode().put("top_left_x", 10).put("top_left_y", 20)));
        assertThat(new String(typed, StandardCharsets.UTF_8)).isEqualTo(new String(handBuilt, StandardCharsets.UTF_8))
                .isEqualTo("{\"task_type\":\"resize_image\",\"image_url\":\"https://img.example/cat.png\",\"width\":640,"
                        + "\"formats\":[\"webp\",\"png\"],\"crop\":{\"top_left_x\":10,\"top_left_y\":20}}");
    }

    @Test
    void whatPikaSendsBindsToTheSameRecordAndANullFieldTravelsAsNull() throws Exception {
        // json.dumps(...) as RabbitMQ's Python tutorials write it: spaces after separators.
        String pika = "{\"task_type\": \"resize_image\", \"image_url\": \"https://img.example/cat.png\", \"width\": 640,"
                + " \"formats\": [\"webp\", \"png\"], \"crop\": {\"top_left_x\": 10, \"top_left_y\": 20}}";

        assertThat(mapper.readValue(pika, ResizeImage.class)).isEqualTo(new ResizeImage("https://img.example/cat.png",
                640, List.of("webp", "png"), new Crop(10, 20)));
        assertThat(new String(codec.body("resize_image", codec.payload("resize_image",
                new ResizeImage(null, 1, List.of(), null))), StandardCharsets.UTF_8))
                .isEqualTo("{\"task_type\":\"resize_image\",\"image_url\":null,\"width\":1,\"formats\":[],\"crop\":null}");
    }

    @Test
    void aPayloadThatIsNotAJsonObjectIsRefusedNamingTheType() {
        assertThatThrownBy(() -> codec.payload("resize_image", "just text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the payload of task type 'resize_image' must serialize to a JSON object, was string");
    }
}
