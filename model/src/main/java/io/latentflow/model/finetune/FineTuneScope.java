package io.latentflow.model.finetune;

import java.util.Locale;

/**
 * What a fine-tune may change. {@link #DECODER} keeps the encoder (and so the latent space: every latent of every
 * image stays bit-identical, a diffusion model trained on them keeps working) and improves the reconstructions only,
 * as Stability's VAE refreshes did; {@link #ALL} trains the encoder too, which makes a new latent space.
 */
public enum FineTuneScope {
    DECODER, ALL;

    /** The default: a served version's latents have been consumed downstream, so its latent space must stay. */
    public static final FineTuneScope DEFAULT = DECODER;

    public static FineTuneScope parse(String value) {
        for (FineTuneScope scope : values()) {
            if (scope.id().equals(value.toLowerCase(Locale.ROOT))) {
                return scope;
            }
        }
        throw new IllegalArgumentException("fine-tuning scope '" + value + "' is not one of decoder (keeps the"
                + " latent space) or all (trains the encoder too: a new latent space)");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean keepsLatentSpace() {
        return this == DECODER;
    }
}
