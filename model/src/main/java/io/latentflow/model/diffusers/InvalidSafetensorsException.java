package io.latentflow.model.diffusers;

import java.nio.file.Path;

/**
 * A safetensors file that cannot be read as written: the message names the file and, where one is at fault, the
 * tensor.
 */
public final class InvalidSafetensorsException extends IllegalArgumentException {

    public InvalidSafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
