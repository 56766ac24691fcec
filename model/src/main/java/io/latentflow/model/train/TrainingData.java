package io.latentflow.model.train;

import io.latentflow.model.data.CropSampler;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.data.TrainingImage;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.drift.ReferenceProfile;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The data of a run, as a Lightning DataModule holds it: the images split by source (or the files given), decoded
 * once, the random crops of the training side, the validation images, and the training files the drift reference
 * profile is made of.
 */
public final class TrainingData {

    private final SourceSplit<Path> split;
    private final List<TrainingImage> training;
    private final List<TrainingImage> validation;
    private final List<Path> referenceFiles;
    private final CropSampler sampler;

    private TrainingData(SourceSplit<Path> split, List<TrainingImage> training, List<TrainingImage> validation,
                         List<Path> referenceFiles, int cropSize) {
        this.split = split;
        this.training = training;
        this.validation = validation;
        this.referenceFiles = referenceFiles;
        this.sampler = new CropSampler(training, cropSize);
    }

    /**
     * The folder split by source into training and validation, or, where the config gives files, those files to train
     * on (nothing held out) and its validation files.
     */
    public static TrainingData load(TrainerConfig config) {
        List<Path> files = config.trainingFiles() != null ? config.trainingFiles()
                : TrainingImages.list(config.images());
        SourceSplit<Path> split = SourceSplit.of(files, p -> SourceSplit.sourceOf(p.getFileName().toString()),
                config.trainingFiles() != null ? 0 : config.validationFraction());
        List<TrainingImage> training = TrainingImages.load(split.training());
        List<TrainingImage> validation = TrainingImages.load(config.validationFiles() != null
                ? config.validationFiles() : split.validation());
        // the drift reference is the training data: validation sources are what an unseen photo looks like
        List<Path> reference = ReferenceProfile.spreadEvenly(split.training());
        return new TrainingData(split, training, validation, reference, config.cropSize());
    }

    /** Random crops of the training images. */
    public CropSampler sampler() {
        return sampler;
    }

    int trainImageCount() {
        return training.size();
    }

    long trainSourceCount() {
        return training.stream().map(TrainingImage::source).distinct().count();
    }

    List<TrainingImage> validationImages() {
        return validation;
    }

    /** The sources held out of training, by name. */
    Set<String> validationSources() {
        return split.validationSources();
    }

    List<Path> referenceFiles() {
        return referenceFiles;
    }
}
