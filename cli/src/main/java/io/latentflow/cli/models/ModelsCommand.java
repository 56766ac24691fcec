package io.latentflow.cli.models;

import picocli.CommandLine.Command;

/** {@code latentflow models list|publish|promote|rollback|import|keygen}: the model registry, and versions made elsewhere. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry: versions in object storage under models/<version>/, their life on the"
                + " model-events topic.",
        subcommands = {ModelsListCommand.class, ModelsPublishCommand.class, ModelsPromoteCommand.class,
                ModelsRollbackCommand.class, ModelsImportCommand.class, ModelsKeygenCommand.class})
public final class ModelsCommand {
}
