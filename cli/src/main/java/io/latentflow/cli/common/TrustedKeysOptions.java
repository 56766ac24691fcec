package io.latentflow.cli.common;

import io.latentflow.registry.TrustedKeys;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The public keys whose signatures make a model version servable, for every command that loads a version to use it. */
public final class TrustedKeysOptions {

    @Option(names = "--trusted-keys", paramLabel = "DIR", description = "Use only model versions whose manifest is"
            + " signed by one of the public keys in DIR ('<keyId>.pub' from 'latentflow models keygen'; publish with"
            + " 'models publish --sign-key'); another version is refused with the reason (by 'run': REJECTED, and"
            + " serving stays). Without it, signatures are not checked.")
    public Path dir;

    /** The keys in {@link #dir}; {@link TrustedKeys#NOT_CHECKED} without the option. */
    public TrustedKeys load() throws IOException {
        return dir == null ? TrustedKeys.NOT_CHECKED : TrustedKeys.load(dir);
    }
}
