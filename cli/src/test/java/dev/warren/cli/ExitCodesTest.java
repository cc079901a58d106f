package dev.warren.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.PublishException.Reason;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

    @Test
    void aPublishFailureWrappedByTheOperationThatFailedIsStillNotDelivered() {
        PublishException unroutable = new PublishException(Reason.UNROUTABLE, "no queue bound for routing key 'q'");
        IOException replay = new IOException("replaying 'q.dlq' to 'missing' stopped after 0 letter(s)", unroutable);

        assertThat(ExitCodes.codeFor(unroutable)).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(ExitCodes.codeFor(replay)).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(ExitCodes.codeFor(new IOException("outer", replay))).isEqualTo(ExitCodes.NOT_DELIVERED);
    }

    @Test
    void anUnclassifiedFailureIsABug() {
        assertThat(ExitCodes.codeFor(new IOException("disk full", new IllegalStateException("bug"))))
                .isEqualTo(ExitCodes.SOFTWARE);
    }
}
