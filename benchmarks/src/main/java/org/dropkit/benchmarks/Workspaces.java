package org.dropkit.benchmarks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Workspace managers for the op benchmarks: one arranged as DL4J's {@code MultiLayerNetwork} arranges it for a
 * layer in training, and none.
 */
final class Workspaces {

    /** As MultiLayerNetwork's WS_ALL_LAYERS_ACT: INPUT and ACTIVATIONS live for the whole iteration. */
    static final String ACTIVATIONS = "BENCH_ALL_LAYERS_ACT";
    /** As MultiLayerNetwork's WS_LAYER_WORKING_MEM: FF and BP working memory, opened per layer. */
    static final String WORKING_MEM = "BENCH_LAYER_WORKING_MEM";

    private static final WorkspaceConfiguration ACTIVATIONS_CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.05)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .build();

    private static final WorkspaceConfiguration WORKING_MEM_CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.02)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .build();

    private Workspaces() {
    }

    /**
     * INPUT and ACTIVATIONS in one workspace, FF and BP working memory in another, everything else detached.
     * ({@code with(...)} must come before {@code defaultNoWorkspace()}, or INPUT is silently scoped out.)
     */
    static LayerWorkspaceMgr layerInTraining() {
        return LayerWorkspaceMgr.builder()
                .with(ArrayType.INPUT, ACTIVATIONS, ACTIVATIONS_CONFIG)
                .with(ArrayType.ACTIVATIONS, ACTIVATIONS, ACTIVATIONS_CONFIG)
                .with(ArrayType.FF_WORKING_MEM, WORKING_MEM, WORKING_MEM_CONFIG)
                .with(ArrayType.BP_WORKING_MEM, WORKING_MEM, WORKING_MEM_CONFIG)
                .defaultNoWorkspace()
                .build();
    }

    static void destroyAll() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    }
}
