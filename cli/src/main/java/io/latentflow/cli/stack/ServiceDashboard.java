package io.latentflow.cli.stack;

import io.latentflow.dashboard.Dashboard;
import io.latentflow.dashboard.DashboardSettings;
import io.latentflow.registry.TrustedKeys;
import java.net.BindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dashboard a service (run, demo) serves over its own stack: on the asked port, or any free one when that is taken. */
public final class ServiceDashboard {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceDashboard.class);

    private ServiceDashboard() {
    }

    /** @param trusted whose signature a version needs before the dashboard decodes with it */
    public static Dashboard start(PipelineStack pipeline, int port, TrustedKeys trusted) {
        try {
            return Dashboard.start(DashboardSettings.of(pipeline.kafka(), pipeline.s3(), port)
                    .withFlinkRest(pipeline.flinkRest()).withTrustedKeys(trusted));
        } catch (IllegalStateException e) {
            if (port == 0 || !(e.getCause() instanceof BindException)) {
                throw e;
            }
            // A second demo, or anything else on the port, must not stop this one: its URL is printed anyway.
            LOG.info("Dashboard port {} is taken ({}); serving on a free port instead", port, e.getMessage());
            return Dashboard.start(DashboardSettings.of(pipeline.kafka(), pipeline.s3(), 0)
                    .withFlinkRest(pipeline.flinkRest()).withTrustedKeys(trusted));
        }
    }
}
