package io.latentflow.cli.bench.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the fault run's checker calls lost, duplicated and unexpected. */
class ExactlyOnceCheckTest {

    private static final List<String> INGESTED = List.of("a", "b", "c");

    @Test
    void everyImageOnceIsExact() {
        assertThat(ExactlyOnceCheck.tally(INGESTED, List.of("c", "a", "b")).exact()).isTrue();
    }

    @Test
    void aMissingImageIsLostAndATwiceCommittedOneDuplicated() {
        ExactlyOnceCheck.Tally tally = ExactlyOnceCheck.tally(INGESTED, List.of("a", "b", "b", "x"));
        assertThat(tally.exact()).isFalse();
        assertThat(tally.lost()).containsExactly("c");
        assertThat(tally.duplicated()).isEqualTo(Map.of("b", 2));
        assertThat(tally.unexpected()).containsExactly("x");
    }

    @Test
    void aDeadLetterFailsARunThatLostNothing() {
        ExactlyOnceCheck.Tally exact = ExactlyOnceCheck.tally(INGESTED, INGESTED);
        assertThat(new ExactlyOnceCheck(3, exact, exact, 0).passed()).isTrue();
        assertThat(new ExactlyOnceCheck(3, exact, exact, 1).passed()).isFalse();
        assertThat(new ExactlyOnceCheck(3, exact, ExactlyOnceCheck.tally(INGESTED, List.of("a", "b")), 0).passed())
                .as("a latent committed to the topic whose shard file is missing").isFalse();
    }

    @Test
    void aFaultRunFailsOnAnImageLostOrDuplicatedInEitherPlaceButNotOnADeadLetter() {
        ExactlyOnceCheck.Tally exact = ExactlyOnceCheck.tally(INGESTED, INGESTED);
        ExactlyOnceCheck.Tally lost = ExactlyOnceCheck.tally(INGESTED, List.of("a", "b"));
        ExactlyOnceCheck.Tally duplicated = ExactlyOnceCheck.tally(INGESTED, List.of("a", "b", "c", "c"));
        assertThat(new ExactlyOnceCheck(3, exact, exact, 2).noneLostOrDuplicated()).isTrue();
        assertThat(new ExactlyOnceCheck(3, lost, exact, 0).noneLostOrDuplicated()).isFalse();
        assertThat(new ExactlyOnceCheck(3, exact, duplicated, 0).noneLostOrDuplicated()).isFalse();
    }
}
