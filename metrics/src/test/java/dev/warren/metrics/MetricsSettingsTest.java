package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {

    @Test
    void theEndpointIsOffWithoutAPortAndListensOnLoopbackByDefault() {
        assertThat(MetricsSettings.disabled().endpointEnabled()).isFalse();
        MetricsSettings on = MetricsSettings.onPort(9464);
        assertThat(on.endpointEnabled()).isTrue();
        assertThat(on.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(on.queuePollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(on.withBindAddress("0.0.0.0").bindAddress()).isEqualTo("0.0.0.0");
        assertThat(on.withBindAddress(" ").bindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void badValuesFailNamingTheSettingAndTheValue() {
        assertThatThrownBy(() -> MetricsSettings.onPort(70_000))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("metrics port must be between 0 and 65535 (0: any free port), was 70000");
        assertThatThrownBy(() -> MetricsSettings.onPort(-1)).isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> MetricsSettings.onPort(9464).withQueuePollInterval(Duration.ofMillis(10)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("metrics queue poll interval must be >= 100ms, was 10ms");
    }
}
