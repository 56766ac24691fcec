package io.latentflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class WorstImagesTest {

    @Test
    void keepsOnlyTheLowestScoresWorstFirst() {
        WorstImages worst = new WorstImages(3);
        double[] scores = {-0.5, 2.0, -3.0, 0.1, -1.0, 5.0};
        for (int i = 0; i < scores.length; i++) {
            worst.offer(image("image-" + i, scores[i]));
        }
        assertThat(worst.worstFirst()).extracting(w -> w.imageId).containsExactly("image-2", "image-4", "image-0");
        assertThat(worst.wouldKeep(-0.6)).isTrue();
        assertThat(worst.wouldKeep(0.0)).as("better than every image kept").isFalse();
        assertThat(new WorstImages(0).wouldKeep(-100)).isFalse();
    }

    @Test
    void theScoreIsBMinusAWithTwoModelsAndAWithOne() {
        assertThat(CompareModels.score(new double[] {30, 28.5})).isEqualTo(-1.5);
        assertThat(CompareModels.score(new double[] {30})).isEqualTo(30);
    }

    @Test
    void whatTheReplayCollectsTravelsAsPojosNotKryo() {
        for (Class<?> type : new Class<?>[] {ImageComparison.class, WorstImage.class}) {
            assertThat(TypeInformation.of(type)).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
        }
    }

    private static WorstImage image(String id, double score) {
        WorstImage image = new WorstImage();
        image.imageId = id;
        image.score = score;
        return image;
    }
}
