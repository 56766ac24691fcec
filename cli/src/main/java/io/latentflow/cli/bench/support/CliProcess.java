package io.latentflow.cli.bench.support;

import io.latentflow.cli.Latentflow;
import io.latentflow.cli.stack.ClusterClasspath;
import io.latentflow.infra.JavaProcess;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This command line as a {@code java} process of its own ({@code cluster up}, {@code run --cluster}), so that a fault
 * run kills and stops the service and the cluster as a user's shell would, its output in {@code <logDir>/<name>.out}.
 */
public final class CliProcess {

    private CliProcess() {
    }

    /** Starts {@code latentflow <arguments>} with the heap given; waits for nothing. */
    public static Process start(Path logDir, String name, String heap, List<String> arguments) {
        Path home = Path.of(System.getProperty("latentflow.home", ".")).toAbsolutePath();
        List<String> jvmOptions = new ArrayList<>(List.of("-Xmx" + heap, "-Dlatentflow.home=" + home));
        String logging = System.getProperty("log4j2.configurationFile");
        if (logging != null) {
            jvmOptions.add("-Dlog4j2.configurationFile=" + logging);
        }
        return JavaProcess.start(logDir, name, ownCode() + File.pathSeparator + ClusterClasspath.launcher(home),
                jvmOptions, Latentflow.class.getName(), arguments);
    }

    /** The CLI's own classes (its jar, or target/classes in a build), which the launcher classpath file lacks. */
    private static String ownCode() {
        try {
            return Path.of(Latentflow.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where the latentflow CLI's classes are", e);
        }
    }
}
