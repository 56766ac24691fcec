package io.latentflow.cli.service;

import picocli.CommandLine.Command;

/** {@code latentflow shards}: the committed latent shards. */
@Command(name = "shards", mixinStandardHelpOptions = true,
        description = "The latent shards committed under latents/, one record each on the shards topic, written"
                + " once the object is readable.",
        subcommands = {ShardsListCommand.class})
public final class ShardsCommand {
}
