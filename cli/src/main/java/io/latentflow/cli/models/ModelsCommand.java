package io.latentflow.cli.models;

import picocli.CommandLine.Command;

/**
 * {@code latentflow models list|publish|promote|rollback|import|keygen}: the model registry, versions made elsewhere,
 * and the keys that sign versions.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry: versions in object storage under models/<version>/, their life on the"
                + " model-events topic.",
        subcommands = {ModelsListCommand.class, ModelsPublishCommand.class, ModelsPromoteCommand.class,
                ModelsRollbackCommand.class, ModelsImportCommand.class, ModelsKeygenCommand.class})
public final class ModelsCommand {
}
