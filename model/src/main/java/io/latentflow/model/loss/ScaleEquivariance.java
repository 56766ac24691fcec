package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.nn.Scalars;
import io.latentflow.model.recipe.ReconstructionWeights;

import java.util.SplittableRandom;

/**
 * The scale-equivariance term of Skorokhodov et al., "Improving the Diffusability of Autoencoders" (ICML 2025; the
 * same idea as EQ-VAE's scaling): the decoder must draw the image downsampled by 2 or 4 from the latent downsampled
 * alike. Latents whose low frequencies decode to the image's low frequencies carry less high-frequency energy of
 * their own, which a coarse-to-fine diffusion model then need not learn.
 *
 * <p>Downsampling is by area (the mean of each block), as {@code eval} measures it; at factor 2 that equals the
 * paper's bilinear downsampling. The distance is the recipe's L1 and L2 with their weights; SSIM is left out, its 11
 * px window being wider than a downsampled training crop.
 */
public final class ScaleEquivariance {

    private ScaleEquivariance() {
    }

    /** The factor of one step: 2 or 4 with equal odds, as the paper draws it. */
    public static int drawFactor(SplittableRandom random) {
        return random.nextBoolean() ? 2 : 4;
    }

    /**
     * @param latents the decoder's clean input (before perturbations; kl-vae: the sample), NCHW
     * @param images  the images they encode, NCHW
     * @return the scalar distance between the decoded small latents and the small images
     */
    static NDArray distance(ParameterStore parameters, Autoencoder autoencoder, NDArray latents, NDArray images,
                            int factor, ReconstructionWeights weights) {
        NDArray decoded = autoencoder.decoder().forward(parameters, new NDList(downsample(latents, factor)), true)
                .singletonOrThrow();
        NDArray target = downsample(images, factor);
        NDArray distance = null;
        if (weights.l1() > 0) {
            distance = Scalars.times(Losses.l1(decoded, target), weights.l1());
        }
        if (weights.l2() > 0) {
            NDArray l2 = Scalars.times(Losses.l2(decoded, target), weights.l2());
            distance = distance == null ? l2 : distance.add(l2);
        }
        if (distance == null) {
            throw new IllegalArgumentException("the scale-equivariance term measures with the recipe's L1 and L2,"
                    + " both weighted 0: give one of them a weight");
        }
        return distance;
    }

    /** The mean of each {@code factor x factor} block of NCHW values, differentiable. */
    static NDArray downsample(NDArray nchw, int factor) {
        Shape shape = nchw.getShape();
        long height = shape.get(2);
        long width = shape.get(3);
        if (height % factor != 0 || width % factor != 0) {
            throw new IllegalArgumentException("the scale-equivariance term downsamples by " + factor + " but the"
                    + " latents are " + height + "x" + width + ": use a crop size whose latent side is a multiple"
                    + " of 4");
        }
        // DJL's PyTorch mean reduces one axis at a time.
        return nchw.reshape(shape.get(0), shape.get(1), height / factor, factor, width / factor, factor)
                .mean(new int[] {5}).mean(new int[] {3});
    }
}
