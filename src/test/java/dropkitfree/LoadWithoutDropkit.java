package dropkitfree;

import java.io.File;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Run in a JVM whose class path has DL4J and ND4J but no Dropkit (by {@code DropoutExportNetworkTest}, outside the
 * org.dropkit packages on purpose): restores each model file given, computes its inference output for the inputs saved
 * next to it, and writes that output for the test to compare. One line per model on standard output: "loaded" or
 * "failed: " and the exception.
 *
 * <p>Arguments: one per model, {@code kind|model|output|input,input...}, kind "mln" or "cg".
 */
public final class LoadWithoutDropkit {

    private LoadWithoutDropkit() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("org.dropkit.MaskDropout");
            System.out.println("dropkit visible");
        } catch (ClassNotFoundException expected) {
            System.out.println("dropkit hidden");
        }
        for (String task : args) {
            String[] parts = task.split("\\|");
            try {
                String[] inputFiles = parts[3].split(",");
                INDArray[] x = new INDArray[inputFiles.length];
                for (int j = 0; j < x.length; j++) {
                    x[j] = Nd4j.readBinary(new File(inputFiles[j]));
                }
                INDArray y;
                if (parts[0].equals("mln")) {
                    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new File(parts[1]), true);
                    y = net.output(x[0], false);
                } else {
                    ComputationGraph net = ModelSerializer.restoreComputationGraph(new File(parts[1]), true);
                    y = net.outputSingle(false, x);
                }
                Nd4j.saveBinary(y, new File(parts[2]));
                System.out.println("loaded " + parts[1]);
            } catch (Throwable e) {
                StringBuilder why = new StringBuilder(e.toString());
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    why.append(" <- ").append(c);
                }
                System.out.println("failed: " + parts[1] + ": " + why);
                e.printStackTrace();
            }
        }
    }
}
