package io.latentflow.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One service per state folder. (A second process refused by a live one: ServiceCrashEndToEndTest.) */
class ServiceLockTest {

    @TempDir
    Path state;

    @Test
    void aLockLeftByADeadProcessIsTakenOverAndSaidSo() throws Exception {
        Files.writeString(state.resolve("service.lock"),
                "{\"pid\":999999999,\"command\":\"run\",\"since\":\"2026-12-01T10:00:00Z\"}");
        StringWriter said = new StringWriter();

        try (ServiceLock lock = ServiceLock.acquire(state, ServiceLock.SERVICE, "run", new PrintWriter(said))) {
            assertThat(said.toString()).contains("taking over").contains("pid 999999999").contains("no longer running");
            assertThat(Files.readString(lock.file())).contains("\"pid\":" + ProcessHandle.current().pid());
            assertThat(ServiceLock.held(state, ServiceLock.SERVICE)).isTrue();
        }
        assertThat(ServiceLock.held(state, ServiceLock.SERVICE)).isFalse();
        assertThat(state.resolve("service.lock")).as("emptied, not deleted").isEmptyFile();
    }

    @Test
    void aHeldLockRefusesASecondServiceAndAnOrderlyExitLeavesNothingToTakeOver() {
        StringWriter said = new StringWriter();
        try (ServiceLock lock = ServiceLock.acquire(state, ServiceLock.SERVICE, "run", new PrintWriter(said))) {
            assertThatThrownBy(() -> ServiceLock.acquire(state, ServiceLock.SERVICE, "demo", new PrintWriter(said)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already runs from").hasMessageContaining("--state-dir");
        }
        try (ServiceLock again = ServiceLock.acquire(state, ServiceLock.SERVICE, "run", new PrintWriter(said))) {
            assertThat(said.toString()).doesNotContain("taking over");
        }
    }

    @Test
    void aStaleServiceFileIsToldApartFromALiveOne() throws Exception {
        Files.writeString(state.resolve(ServiceState.SERVICE_FILE), "{\"kafka\":\"127.0.0.1:1\",\"pid\":999999999}");

        assertThatThrownBy(() -> ServiceState.read(state))
                .hasMessageContaining("the service is not running (stale").hasMessageContaining("pid 999999999");

        Files.writeString(state.resolve(ServiceState.SERVICE_FILE),
                "{\"kafka\":\"127.0.0.1:1\",\"pid\":" + ProcessHandle.current().pid() + "}");
        assertThat(ServiceState.read(state).get("kafka").asText()).isEqualTo("127.0.0.1:1");
    }
}
