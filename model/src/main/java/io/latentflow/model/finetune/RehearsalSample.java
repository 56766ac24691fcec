package io.latentflow.model.finetune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which older images a fine-tune rehearses, so that the new version does not forget what the serving one was made for
 * (the options call their share the replay share; this is not the replay job): enough of them that they make
 * {@code share} of the training images (crops are drawn uniformly over images, so also of the crops), spread evenly
 * over the older images' order so that every older source is represented, never more than there are.
 */
final class RehearsalSample {

    private RehearsalSample() {
    }

    static List<Path> of(List<Path> older, int recentCount, double share) {
        if (share == 0 || older.isEmpty()) {
            return List.of();
        }
        int wanted = (int) Math.min(older.size(), Math.max(1, Math.round(recentCount * share / (1 - share))));
        List<Path> picked = new ArrayList<>(wanted);
        for (int i = 0; i < wanted; i++) {
            picked.add(older.get((int) ((long) i * older.size() / wanted)));
        }
        return picked;
    }
}
