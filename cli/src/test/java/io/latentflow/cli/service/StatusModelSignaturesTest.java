package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.stack.ServiceState;
import org.junit.jupiter.api.Test;

/** {@code status}'s modelSignatures: what the running service wrote, and "not checked" for a file from before. */
class StatusModelSignaturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theServiceFileSaysWhetherSignaturesAreCheckedAndAnOlderFileMeansNot() throws Exception {
        assertThat(StatusCommand.modelSignatures(JSON.readTree("{\"" + ServiceState.MODEL_SIGNATURES
                + "\": \"trusted keys: 2\"}"))).isEqualTo("trusted keys: 2");
        assertThat(StatusCommand.modelSignatures(JSON.readTree("{\"servingVersion\": \"v1\"}")))
                .isEqualTo("not checked");
    }
}
