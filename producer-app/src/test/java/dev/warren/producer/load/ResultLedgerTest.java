package dev.warren.producer.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResultLedgerTest {

    @Test
    void taskIdsAreUuidsThatCarryTheirSequenceNumber() {
        ResultLedger ledger = new ResultLedger();
        ledger.published(70_000, 1);

        String id = ledger.idOf(70_000);

        assertThat(UUID.fromString(id).version()).isEqualTo(4);
        assertThat(ledger.sequenceOf(id)).isEqualTo(70_000);
        assertThat(ledger.sequenceOf(new ResultLedger().idOf(70_000))).as("another run's id").isEqualTo(-1);
        assertThat(ledger.sequenceOf(UUID.randomUUID().toString())).isEqualTo(-1);
        assertThat(ledger.sequenceOf("not-a-uuid")).isEqualTo(-1);
        assertThat(ledger.sequenceOf(null)).isEqualTo(-1);
    }

    @Test
    void aTaskIsAnsweredOnceItsConfirmAndFirstResultArrivedInEitherOrder() {
        ResultLedger ledger = new ResultLedger();
        for (long n = 0; n < 3; n++) {
            ledger.published(n, n);
        }

        ledger.confirmed(0);
        assertThat(ledger.arrived(0)).isEqualTo(ResultLedger.Arrival.FIRST);
        assertThat(ledger.arrived(1)).as("result before confirm").isEqualTo(ResultLedger.Arrival.FIRST);
        assertThat(ledger.answeredConfirmed()).isEqualTo(1);
        ledger.confirmed(1);
        ledger.confirmed(2);

        assertThat(ledger.answeredConfirmed()).isEqualTo(2);
        assertThat(ledger.arrived(0)).isEqualTo(ResultLedger.Arrival.DUPLICATE);
        assertThat(ledger.arrived(1)).isEqualTo(ResultLedger.Arrival.DUPLICATE);
        assertThat(ledger.answeredConfirmed()).as("duplicates answer nothing new").isEqualTo(2);
        assertThat(ledger.publishedAt(2)).isEqualTo(2);
    }
}
