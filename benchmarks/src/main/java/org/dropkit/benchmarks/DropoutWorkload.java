package org.dropkit.benchmarks;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Parameters and calls shared by the dropout-op workloads. The defaults are the headline case (FLOAT, p = 0.8,
 * 1e7 elements, in a workspace); the run script overrides them slice by slice with {@code -p}.
 *
 * <p>"In a workspace" ({@code workspace=true}) opens the workspaces around each call as DL4J's
 * {@code MultiLayerNetwork} does for a layer in training: the INPUT/ACTIVATIONS workspace (where masks go) and,
 * inside it, the layer's working memory (where temporaries go). Without ({@code workspace=false}), every array an
 * implementation allocates is a fresh detached allocation, as with {@code WorkspaceMode.NONE}.
 */
@State(Scope.Thread)
public abstract class DropoutWorkload extends NativeBackend {

    /** "rows x cols" (2-D), "N x C x H x W" (4-D) or "N x C x T" (3-D); see {@link Shapes}. */
    @Param({"1024x10000"})
    public String shape;

    @Param({"FLOAT"})
    public String dtype;

    /** Retain probability. */
    @Param({"0.8"})
    public double p;

    @Param({"DL4J_DROPOUT", "DROPKIT_BERNOULLI_RECOMPUTE"})
    public Impl impl;

    @Param({"true"})
    public boolean workspace;

    /**
     * The OMP_NUM_THREADS the fork runs with, "default" when unset (one thread per core). ND4J's ops and Dropkit's
     * CPU mask generator both use that many threads; see {@link #checkOmpThreads}.
     */
    @Param({"default"})
    public String ompThreads;

    protected IDropout dropout;
    protected LayerWorkspaceMgr mgr;
    protected DataType type;
    protected long[] dims;

    protected void init() {
        checkBuild();
        checkOmpThreads(ompThreads);
        type = Shapes.dataType(dtype);
        dims = Shapes.parse(shape);
        dropout = impl.create(p, dims.length);
        mgr = workspace ? Workspaces.layerInTraining() : LayerWorkspaceMgr.noWorkspaces();
    }

    /** One training forward pass, x * m into out (out may be x). */
    protected INDArray forward(INDArray x, INDArray out) {
        if (!workspace) {
            return dropout.applyDropout(x, out, 0, 0, mgr);
        }
        try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
                MemoryWorkspace ff = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            return dropout.applyDropout(x, out, 0, 0, mgr);
        }
    }

    /**
     * One training forward pass as a DL4J layer calls it ({@code AbstractLayer.applyDropOutIfNecessary}, for a
     * layer that may not modify its input): the result array is created in the INPUT workspace of this pass, then
     * {@code applyDropout(x, result)}. Without workspaces it is a fresh detached array, as with
     * {@code WorkspaceMode.NONE}.
     */
    protected INDArray forwardDl4jStyle(INDArray x) {
        if (!workspace) {
            return dropout.applyDropout(x, mgr.createUninitialized(ArrayType.INPUT, x.dataType(), x.shape(),
                    x.ordering()), 0, 0, mgr);
        }
        try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
                MemoryWorkspace ff = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            INDArray result = mgr.createUninitialized(ArrayType.INPUT, x.dataType(), x.shape(), x.ordering());
            return dropout.applyDropout(x, result, 0, 0, mgr);
        }
    }

    /** One backward pass of the pending forward pass, dy * m into dx. */
    protected INDArray backward(INDArray dy, INDArray dx) {
        if (!workspace) {
            return dropout.backprop(dy, dx, 0, 0);
        }
        try (MemoryWorkspace bp = mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
            return dropout.backprop(dy, dx, 0, 0);
        }
    }

    /** A forward pass then its backward pass, with the activations workspace open across both, as in training. */
    protected INDArray forwardThenBackward(INDArray x, INDArray out, INDArray dy, INDArray dx) {
        if (!workspace) {
            dropout.applyDropout(x, out, 0, 0, mgr);
            return dropout.backprop(dy, dx, 0, 0);
        }
        try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
            try (MemoryWorkspace ff = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                dropout.applyDropout(x, out, 0, 0, mgr);
            }
            try (MemoryWorkspace bp = mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                return dropout.backprop(dy, dx, 0, 0);
            }
        }
    }

    protected void tearDown() {
        dropout.clear();
        Workspaces.destroyAll();
    }
}
