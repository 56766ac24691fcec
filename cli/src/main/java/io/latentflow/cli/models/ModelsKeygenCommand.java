package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.registry.SigningKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latentflow models keygen --out DIR}: a key pair to sign model versions with. */
@Command(name = "keygen", mixinStandardHelpOptions = true, description = "Make an Ed25519 key pair to sign model"
        + " versions with: DIR/<keyId>.key (PKCS#8 PEM, readable by its owner only; give it to 'models publish"
        + " --sign-key') and DIR/<keyId>.pub (X.509 PEM; put it in the folder a service's --trusted-keys names).")
final class ModelsKeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the two key files.")
    Path out;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        SigningKeys.Generated generated = SigningKeys.generate(out);
        PrintWriter printer = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> printed = new LinkedHashMap<>();
            printed.put("keyId", generated.keyId());
            printed.put("privateKey", generated.privateKey().toString());
            printed.put("publicKey", generated.publicKey().toString());
            output.print(printer, printed);
        } else {
            printer.println("key " + generated.keyId() + ": private " + generated.privateKey() + " (keep it secret),"
                    + " public " + generated.publicKey());
            printer.flush();
        }
        return 0;
    }
}
