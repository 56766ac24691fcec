package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.stack.ServiceState;
import io.latentflow.model.Precision;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code status}'s precision: what the running service recorded in its service.json, and nulls for an older file. */
class StatusPrecisionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void statusShowsThePrecisionAndTheReasonTheServiceRecorded() throws Exception {
        Precision.Choice auto = new Precision.Choice(Precision.FP32,
                "auto: this CPU has avx512_bf16 but no AMX, and oneDNN's convolutions keep their fp32 kernels");
        String serviceFile = JSON.writeValueAsString(ServiceState.precision(auto));

        Map<String, Object> shown = StatusCommand.precision(JSON.readTree(serviceFile));

        assertThat(shown).containsEntry("precision", "fp32").containsEntry("precisionReason", auto.reason());
        assertThat(shown.keySet()).containsExactly(ServiceState.PRECISION, ServiceState.PRECISION_REASON);
    }

    @Test
    void aServiceFileFromBeforePrecisionsWereRecordedShowsNulls() throws Exception {
        Map<String, Object> none = new LinkedHashMap<>();
        none.put("precision", null);
        none.put("precisionReason", null);

        assertThat(StatusCommand.precision(JSON.readTree("{\"servingVersion\": \"v1\"}"))).isEqualTo(none);
    }
}
