package dev.warren.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AmqpSettingsTest {

    @Test
    void readsUserPasswordVhostAndEndpointFromTheUri() {
        AmqpSettings settings = AmqpSettings.of("amqp://alice:s3cret@broker.example:5673/orders");
        assertThat(settings.effectiveUsername()).isEqualTo("alice");
        assertThat(settings.effectivePassword()).isEqualTo("s3cret");
        assertThat(settings.effectiveVhost()).isEqualTo("orders");
        assertThat(settings.endpoints()).containsExactly("broker.example:5673");
        assertThat(settings.useTls()).isFalse();
    }

    @Test
    void defaultsToGuestOnTheDefaultVhostAndAmqpsImpliesTlsOn5671() {
        AmqpSettings settings = AmqpSettings.of("amqps://broker.example");
        assertThat(settings.effectiveUsername()).isEqualTo("guest");
        assertThat(settings.effectiveVhost()).isEqualTo("/");
        assertThat(settings.useTls()).isTrue();
        assertThat(settings.endpoints()).containsExactly("broker.example:5671");
    }

    @Test
    void clusterAddressesReplaceTheUriHost() {
        AmqpSettings settings = AmqpSettings.builder("amqp://localhost/")
                .addresses(AmqpSettings.parseAddresses("n1:5701, n2:5702,,n3")).build();
        assertThat(settings.endpoints()).containsExactly("n1:5701", "n2:5702", "n3");
    }

    @Test
    void anUnreadableCaFileIsRefusedByName() {
        assertThatThrownBy(() -> AmqpSettings.builder("amqps://localhost").tlsCaFile(java.nio.file.Path.of("/no/such/ca.pem")).build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TLS CA file must be a readable PEM file, was /no/such/ca.pem");
    }

    @Test
    void neverPrintsThePassword() {
        AmqpSettings settings = AmqpSettings.of("amqp://alice:s3cret@localhost:5672/");
        assertThat(settings.toString()).doesNotContain("s3cret").contains("alice:****@");
        assertThat(settings.redactedUri()).doesNotContain("s3cret");
    }

    @Test
    void masksPasswordsEvenWhereTheUriParserSeesNoUserInfo() {
        assertThat(AmqpSettings.redact("amqp://guest:s3cret@rabbit_mq:5672/")).isEqualTo("amqp://guest:****@rabbit_mq:5672/");
        assertThat(AmqpSettings.redact("amqp://guest:p@ss@host/")).isEqualTo("amqp://guest:****@host/");
        assertThat(AmqpSettings.redact("amqp://host:5672/")).isEqualTo("amqp://host:5672/");
        assertThatThrownBy(() -> AmqpSettings.of("amqp://guest:s3cret@rabbit_mq:5672/"))
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> AmqpSettings.of("amqp://guest:s3 cret@host/"))
                .hasMessageNotContaining("s3 cret");
    }

    @Test
    void badValuesNameTheSettingAndTheValue() {
        assertThatThrownBy(() -> AmqpSettings.of("http://localhost"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("amqp://");
        assertThatThrownBy(() -> AmqpSettings.of("amqp://bob:pw@localhost").withStartupTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("startup timeout must be >= 0s, was -1s");
        assertThatThrownBy(() -> AmqpSettings.builder("amqp://localhost").addresses(List.of("bad address")).build())
                .hasMessageContaining("'bad address'");
    }

    @Test
    void workerSettingsValidateWithClearMessages() {
        assertThatThrownBy(() -> WorkerSettings.of("q").withConcurrency(0))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("concurrency must be between 1 and 1000, was 0");
        assertThatThrownBy(() -> WorkerSettings.of("q").withPrefetch(0))
                .hasMessage("prefetch must be between 1 and 65535, was 0");
        assertThatThrownBy(() -> WorkerSettings.of("amq.gen-x")).hasMessageContaining("'amq.gen-x'");
    }
}
