package org.dropkit.benchmarks;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Memory kept between the forward and the backward pass: bytes of mask per element of dropped-out activations.
 * Not a timing, so not JMH: one forward pass each, then the mask each implementation holds for backward (DL4J's
 * {@code mask}/{@code noise} array, {@code MaskDropout.keptMaskBytes()}).
 *
 * <p>Ops: every implementation, data type and rank at about 1e6 elements. Networks: after a full training forward
 * pass ({@code feedForward(train=true, clearInputs=false)}), every layer's dropout holds its mask, which is the peak
 * a fit step keeps (backward starts at the output layer, with all masks alive).
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.dropkit.benchmarks.MaskBytesKept out.json}
 */
public final class MaskBytesKept extends NativeBackend {

    private static final String[] SHAPES = {"256x4096", "64x64x16x16", "64x256x64"};
    private static final String[] DTYPES = {"FLOAT", "DOUBLE", "HALF"};

    private MaskBytesKept() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Paths.get(args.length > 0 ? args[0] : "maskbytes.json");
        checkBuild();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("build", buildName(REQUESTED_BUILD));
        result.put("ops", ops());
        result.put("networks", networks());
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(result, w);
        }
        System.out.println("mask bytes kept: " + out);
    }

    private static List<Map<String, Object>> ops() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String shape : SHAPES) {
            long[] dims = Shapes.parse(shape);
            for (String dtype : DTYPES) {
                DataType type = Shapes.dataType(dtype);
                for (Impl impl : Impl.values()) {
                    boolean shared = impl == Impl.DL4J_SPATIAL || impl.baseline() == Impl.DL4J_SPATIAL;
                    if (shared && dims.length < 3) {
                        continue;
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("impl", impl.name());
                    row.put("dtype", dtype);
                    row.put("shape", shape);
                    long elements = 1;
                    for (long d : dims) {
                        elements *= d;
                    }
                    row.put("elements", elements);
                    try {
                        IDropout d = impl.create(0.8, dims.length);
                        INDArray x = Shapes.random(type, dims, 42);
                        d.applyDropout(x, Shapes.zeros(type, dims), 0, 0, LayerWorkspaceMgr.noWorkspaces());
                        long bytes = Impl.keptMaskBytes(d);
                        row.put("keptBytes", bytes);
                        row.put("bytesPerElement", (double) bytes / elements);
                        d.clear();
                    } catch (RuntimeException e) {
                        row.put("error", e.toString());
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static List<Map<String, Object>> networks() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Networks.Kind kind : Networks.Kind.values()) {
            for (Networks.DropoutChoice choice : Networks.DropoutChoice.values()) {
                if (choice.isDropConnect()) {
                    continue; // weight masks, not activation masks: not what this table counts
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("network", kind.name());
                row.put("dropout", choice.name());
                try {
                    MultiLayerNetwork net = Networks.build(kind, choice);
                    DataSet batch = Networks.batch(kind);
                    net.setInput(batch.getFeatures());
                    List<INDArray> activations = net.feedForward(true, false);
                    long bytes = 0;
                    long elements = 0;
                    for (int i = 0; i < net.getnLayers(); i++) {
                        Layer layer = net.getLayer(i);
                        IDropout d = layer.conf().getLayer().getIDropout();
                        if (d != null) {
                            bytes += Impl.keptMaskBytes(d);
                            elements += activations.get(i).length();
                        }
                    }
                    row.put("droppedElements", elements);
                    row.put("keptBytes", bytes);
                    row.put("bytesPerElement", elements == 0 ? 0.0 : (double) bytes / elements);
                    net.clear();
                } catch (RuntimeException e) {
                    row.put("error", e.toString());
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
