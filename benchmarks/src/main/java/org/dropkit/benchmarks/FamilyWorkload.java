package org.dropkit.benchmarks;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One alpha-dropout or Gaussian-noise workload: input, preallocated output and gradients, and the state a forward
 * pass leaves for a backward-only benchmark. The defaults are the headline case (FLOAT, 1e7 elements, in a
 * workspace); {@code run-family} passes the sizes 1e4 and 1e7 with {@code -p}. "In a workspace" opens the workspaces
 * around each call as DL4J's {@code MultiLayerNetwork} does for a layer in training ({@link Workspaces}).
 */
@State(Scope.Thread)
public class FamilyWorkload extends NativeBackend {

    /** "rows x cols" (see {@link Shapes}): 64x160 is 1e4 elements, 1024x10000 is 1e7. */
    @Param({"1024x10000"})
    public String shape;

    @Param({"FLOAT"})
    public String dtype;

    /** Retain probability of alpha dropout: 0.9, the paper's drop rate of 0.1. */
    @Param({"0.9"})
    public double p;

    /** Standard deviation of the Gaussian noise. */
    @Param({"0.1"})
    public double sigma;

    @Param({"DL4J_ALPHA", "DROPKIT_ALPHA_RECOMPUTE", "DL4J_GAUSSIAN_NOISE", "DROPKIT_GAUSSIAN_NOISE"})
    public FamilyImpl impl;

    @Param({"true"})
    public boolean workspace;

    IDropout dropout;
    LayerWorkspaceMgr mgr;
    INDArray x;
    INDArray out;
    INDArray dy;
    INDArray dx;
    /** What one forward pass left for backward, put back before each backward-only call. */
    Object afterForward;

    @Setup(Level.Trial)
    public void setUp() {
        checkBuild();
        DataType type = Shapes.dataType(dtype);
        long[] dims = Shapes.parse(shape);
        dropout = impl.create(p, sigma);
        mgr = workspace ? Workspaces.layerInTraining() : LayerWorkspaceMgr.noWorkspaces();
        x = Shapes.random(type, dims, 42);
        out = Shapes.zeros(type, dims);
        dy = Shapes.random(type, dims, 43);
        dx = Shapes.zeros(type, dims);
        // Outside any workspace, so that a stored mask outlives the setup.
        dropout.applyDropout(x, Shapes.zeros(type, dims), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        afterForward = FamilyImpl.pendingState(dropout);
        if (afterForward == null) {
            throw new IllegalStateException("no pending state after a forward pass of " + dropout);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dropout.clear();
        Workspaces.destroyAll();
    }

    /** A training forward pass x -> out, inside the layer's workspaces when {@link #workspace}. */
    INDArray forward() {
        if (!workspace) {
            return dropout.applyDropout(x, out, 0, 0, mgr);
        }
        try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
                MemoryWorkspace ff = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            return dropout.applyDropout(x, out, 0, 0, mgr);
        }
    }

    /** The backward pass of the forward pass made in setup, put back first: dy -> dx. */
    INDArray backward() {
        FamilyImpl.restorePendingState(dropout, afterForward);
        if (!workspace) {
            return dropout.backprop(dy, dx, 0, 0);
        }
        try (MemoryWorkspace bp = mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
            return dropout.backprop(dy, dx, 0, 0);
        }
    }

    /** A forward pass then its own backward pass, the activations workspace open across both, as in training. */
    INDArray forwardThenBackward() {
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
}
