package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.CoreModule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code send} builds a payload from {@code --json} and {@code --field key=value}. */
class TaskFieldsTest {

    private final ObjectMapper mapper = CoreModule.newObjectMapper();

    private ObjectNode payload(String json, String... fields) {
        return TaskFields.payload(mapper, json, List.of(fields));
    }

    private JsonNode field(String keyValue) {
        return payload(null, keyValue).get(keyValue.substring(0, keyValue.indexOf('=')));
    }

    @Test
    void aValueThatReadsAsJsonIsSentAsJson() {
        assertThat(field("user_id=123").isInt()).isTrue();
        assertThat(field("user_id=123").intValue()).isEqualTo(123);
        assertThat(field("big=12345678901234").longValue()).isEqualTo(12345678901234L);
        assertThat(field("score=1.5").isNumber()).isTrue();
        assertThat(field("score=1.5").doubleValue()).isEqualTo(1.5);
        assertThat(field("vip=true").isBoolean()).isTrue();
        assertThat(field("nothing=null").isNull()).isTrue();
        assertThat(field("tags=[\"a\",1]")).isEqualTo(mapper.createArrayNode().add("a").add(1));
        assertThat(field("address={\"city\":\"Oslo\"}").path("city").asText()).isEqualTo("Oslo");
    }

    @Test
    void anythingElseIsSentAsAString() {
        assertThat(field("email=user@example.com").isTextual()).isTrue();
        assertThat(field("email=user@example.com").asText()).isEqualTo("user@example.com");
        assertThat(field("user_name=John Doe").asText()).isEqualTo("John Doe");
        assertThat(field("id=123abc").asText()).isEqualTo("123abc");
        assertThat(field("zip=007").asText()).as("a leading zero is not a JSON number").isEqualTo("007");
        assertThat(field("mood=True").asText()).isEqualTo("True");
    }

    @Test
    void onlyTheFirstEqualsSignSplitsKeyFromValue() {
        assertThat(field("query=a=b").asText()).isEqualTo("a=b");
        assertThat(field("formula==1").asText()).isEqualTo("=1");
    }

    @Test
    void anEmptyValueIsAnEmptyString() {
        JsonNode empty = field("note=");
        assertThat(empty).isNotNull();
        assertThat(empty.isTextual()).as("'note=' gives %s", empty.getNodeType()).isTrue();
        assertThat(empty.asText()).isEmpty();
    }

    @Test
    void aValueThatOnlyStartsWithJsonStaysTheWholeString() {
        // Jackson's readTree stops after the first JSON value, so these must not become 123, true, null, [1].
        assertThat(field("address=123 Main St").asText()).isEqualTo("123 Main St");
        assertThat(field("title=true story").asText()).isEqualTo("true story");
        assertThat(field("error=null pointer").asText()).isEqualTo("null pointer");
        assertThat(field("list=[1] and more").asText()).isEqualTo("[1] and more");
    }

    @Test
    void fieldsAreAddedToTheJsonObjectAndReplaceItsKeys() {
        ObjectNode payload = payload("{\"user_id\": 1, \"email\": \"a@example.com\"}", "user_id=2", "user_name=Ann");

        assertThat(payload).isEqualTo(mapper.createObjectNode()
                .put("user_id", 2).put("email", "a@example.com").put("user_name", "Ann"));
    }

    @Test
    void noJsonAndNoFieldsIsAnEmptyObject() {
        assertThat(payload(null)).isEmpty();
        assertThat(payload("  ")).isEmpty();
        assertThat(TaskFields.payload(mapper, null, null)).isEmpty();
    }

    @Test
    void jsonThatIsNotAnObjectIsRefusedWithAnExample() {
        for (String json : new String[] {"[1, 2]", "123", "\"text\"", "null", "{not json"}) {
            assertThatThrownBy(() -> payload(json)).as("--json %s", json)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--json must be a JSON object")
                    .hasMessageContaining(json);
        }
    }

    @Test
    void jsonWithTrailingGarbageIsRefused() {
        assertThatThrownBy(() -> payload("{\"user_id\": 1} {\"user_id\": 2}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--json must be a JSON object");
    }

    @Test
    void aFieldWithoutKeyOrEqualsSignIsRefused() {
        for (String field : new String[] {"user_id", "=123", ""}) {
            assertThatThrownBy(() -> payload(null, field)).as("--field '%s'", field)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--field must be key=value, was '" + field + "'");
        }
    }
}
