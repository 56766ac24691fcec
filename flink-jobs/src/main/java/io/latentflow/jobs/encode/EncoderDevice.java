package io.latentflow.jobs.encode;

import ai.djl.Device;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

import java.util.Collection;
import java.util.List;

/**
 * The device one encoder subtask loads its model on, and why (one log line per subtask says both).
 *
 * <ol>
 *   <li>The GPUs Flink's external resource framework gave the task manager ({@code external-resources: gpu} with
 *       {@code org.apache.flink.externalresource.gpu.GPUDriverFactory}; each info's {@code index} property): Flink
 *       gives them to the task manager, not to a slot, so every subtask on it sees the same set, and subtask
 *       {@code i} takes the {@code (i mod n)}-th of the {@code n} indexes in ascending order. With as many GPUs as
 *       slots, or one GPU and one slot per task manager, each subtask has a card of its own.</li>
 *   <li>No GPU info (the framework is not configured): GPU {@code subtaskIndex mod visibleGpus}.</li>
 *   <li>No GPU the PyTorch engine can use: CPU.</li>
 * </ol>
 *
 * Flink exposes no slot index to a function, so the subtask index stands in for it: subtasks spread unevenly over
 * several task managers can still meet on one card. Configuring the framework with one GPU per slot's worth of task
 * manager avoids that.
 */
public record EncoderDevice(Device device, String reason) {

    /** The external resource name the deployments configure ({@code external-resources: gpu}). */
    public static final String GPU_RESOURCE = "gpu";
    /** The property Flink's GPU driver sets on each GPU info: the GPU's index as nvidia-smi reports it. */
    static final String INDEX_PROPERTY = "index";

    /**
     * @param assignedGpus what {@code getRuntimeContext().getExternalResourceInfos("gpu")} returned (may be empty)
     * @param subtaskIndex the encoder subtask's index, 0-based
     * @param visibleGpus  how many GPUs the PyTorch engine sees
     * @throws IllegalStateException when Flink assigned a GPU the engine cannot see, or an info has no numeric index
     */
    public static EncoderDevice choose(Collection<? extends ExternalResourceInfo> assignedGpus, int subtaskIndex,
                                       int visibleGpus) {
        if (subtaskIndex < 0) {
            throw new IllegalArgumentException("subtask index " + subtaskIndex + " is negative");
        }
        List<Integer> assigned = assignedGpus.stream().map(EncoderDevice::gpuIndex).distinct().sorted().toList();
        if (visibleGpus <= 0) {
            return new EncoderDevice(Device.cpu(), assigned.isEmpty()
                    ? "the PyTorch engine sees no GPU"
                    : "Flink assigned GPU(s) " + assigned + " but the PyTorch engine sees none: give the task manager"
                    + " a CUDA libtorch (PYTORCH_LIBRARY_PATH) instead of the CPU native library");
        }
        if (assigned.isEmpty()) {
            int gpu = subtaskIndex % visibleGpus;
            return new EncoderDevice(Device.gpu(gpu), "no GPU assigned by Flink's external resource framework;"
                    + " subtask " + subtaskIndex + " mod " + visibleGpus + " visible GPU(s)");
        }
        int gpu = assigned.get(subtaskIndex % assigned.size());
        if (gpu >= visibleGpus) {
            throw new IllegalStateException("Flink assigned GPU " + gpu + " (of " + assigned + ") but the PyTorch"
                    + " engine sees only " + visibleGpus + " GPU(s), numbered from 0: the GPU driver reports"
                    + " nvidia-smi's indexes, which differ from CUDA's when CUDA_VISIBLE_DEVICES is set; unset it"
                    + " and let the container runtime choose the visible GPUs");
        }
        return new EncoderDevice(Device.gpu(gpu), assigned.size() == 1
                ? "assigned by Flink's external resource framework"
                : "Flink assigned this task manager GPUs " + assigned + "; subtask " + subtaskIndex + " takes"
                + " number " + (subtaskIndex % assigned.size()) + " of them (subtask mod " + assigned.size() + ")");
    }

    private static int gpuIndex(ExternalResourceInfo info) {
        String index = info.getProperty(INDEX_PROPERTY).orElseThrow(() -> new IllegalStateException(
                "A '" + GPU_RESOURCE + "' external resource info has no '" + INDEX_PROPERTY + "' property (it has "
                        + info.getKeys() + "): configure external-resource." + GPU_RESOURCE + ".driver-factory.class:"
                        + " org.apache.flink.externalresource.gpu.GPUDriverFactory"));
        try {
            int gpu = Integer.parseInt(index.trim());
            if (gpu < 0) {
                throw new NumberFormatException("negative");
            }
            return gpu;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("A '" + GPU_RESOURCE + "' external resource info has index '" + index
                    + "', not a GPU number: check the GPU driver's discovery script", e);
        }
    }

    @Override
    public String toString() {
        return device + " (" + reason + ")";
    }
}
