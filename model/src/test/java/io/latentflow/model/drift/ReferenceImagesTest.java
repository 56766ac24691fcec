package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceImagesTest {

    /** Two photos, three near-identical tiles each: the tiles of one photo are not what a new image is compared to. */
    private static final double[][] TILES = {{0, 0}, {0.01, 0}, {0, 0.01}, {1, 1}, {1.01, 1}, {1, 1.01}};

    @Test
    void anImageBetweenTheReferencePhotosIsOrdinaryWhenTheTypicalDistanceIsMeasuredAcrossSources() {
        ReferenceImages bySource = ReferenceImages.of(TILES, List.of("a", "a", "a", "b", "b", "b"));
        ReferenceImages byTile = ReferenceImages.of(TILES, null);

        double[] between = {0.5, 0.5};
        assertThat(novelty(bySource, between)).isLessThan(1);
        assertThat(novelty(byTile, between)).as("against sibling tiles every new photo looks novel")
                .isEqualTo(ReferenceImages.MAX_NOVELTY);
    }

    private static double novelty(ReferenceImages reference, double[] point) {
        return reference.novelty(new double[] {point[0]}, new double[] {point[1]});
    }
}
