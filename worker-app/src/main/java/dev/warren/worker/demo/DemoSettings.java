package dev.warren.worker.demo;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;

/**
 * Settings of the bundled demo task types.
 *
 * @param emailDelay how long {@code send_welcome_email} pretends to talk to a mail server
 */
public record DemoSettings(Duration emailDelay) {

    public DemoSettings {
        if (emailDelay == null || emailDelay.isNegative()) {
            throw new InvalidSettingException("e-mail delay must be >= 0, was "
                    + (emailDelay == null ? "null" : Durations.format(emailDelay)));
        }
    }
}
