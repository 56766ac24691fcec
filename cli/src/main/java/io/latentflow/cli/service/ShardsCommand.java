package io.latentflow.cli.service;

import picocli.CommandLine.Command;

/** {@code latentflow shards list}: the committed shards, as the shards topic announces them. */
@Command(name = "shards", mixinStandardHelpOptions = true,
        description = "The latent shards committed under latents/, one record each on the shards topic, written"
                + " once the object is readable.",
        subcommands = {ShardsListCommand.class})
public final class ShardsCommand {
}
