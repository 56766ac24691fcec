package io.latentflow.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceImagesTest {

    @Test
    void anImageBetweenTheReferencePhotosIsOrdinaryWhenTheTypicalDistanceIsMeasuredAcrossSources() {
        // two photos, a dozen near-identical tiles each: the tiles of one photo are not what a new image is compared to
        List<double[]> tiles = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tiles.add(new double[] {0.001 * i, 0.002 * (i % 3)});
            sources.add("a");
            tiles.add(new double[] {1 + 0.001 * i, 1 - 0.002 * (i % 3)});
            sources.add("b");
        }
        double[][] points = tiles.toArray(double[][]::new);
        ReferenceImages bySource = ReferenceImages.of(points, sources);
        ReferenceImages byTile = ReferenceImages.of(points, null);

        double[] between = {0.5, 0.5};
        assertThat(bySource.neighbours()).isEqualTo(ReferenceImages.NEIGHBOURS);
        assertThat(bySource.novelty(between)).isLessThan(1);
        assertThat(byTile.novelty(between)).as("against sibling tiles every new photo looks novel")
                .isEqualTo(ReferenceImages.MAX_NOVELTY);
        assertThat(bySource.novelty(new double[] {5, -5})).isEqualTo(ReferenceImages.MAX_NOVELTY);
    }

    @Test
    void fewerReferenceImagesThanNeighboursAverageOverAllOthers() {
        ReferenceImages three = ReferenceImages.of(new double[][] {{0}, {1}, {2}}, null);

        assertThat(three.neighbours()).isEqualTo(2);
        assertThat(three.novelty(new double[] {1})).isGreaterThan(0).isLessThan(1);
    }
}
