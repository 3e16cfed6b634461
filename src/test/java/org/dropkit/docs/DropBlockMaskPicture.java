package org.dropkit.docs;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Draws sample DropBlock masks for the README ({@code docs/dropblock-masks.png}): one 64 x 64 feature map per panel,
 * dropped units black, for block sizes 1, 3, 5, 7 (columns) and keep probabilities 0.95, 0.9, 0.75 (rows), and a last
 * row with four channels of one example (per-channel blocks, the default) next to the same with the pattern shared
 * over the channels. Each panel's caption gives the kept fraction of that map. Regenerate with
 * {@code mvn -B -q test -Dtest=DropBlockMaskPictureTest -Ddropkit.picture=docs/dropblock-masks.png}.
 */
public final class DropBlockMaskPicture {

    static final int SIDE = 64;
    static final int[] BLOCK_SIZES = {1, 3, 5, 7};
    static final double[] KEEP = {0.95, 0.9, 0.75};
    static final long SEED = 1;

    static final int CELL = 3;
    private static final int PANEL = SIDE * CELL;
    private static final int GAP = 24;
    private static final int CAPTION = 18;
    private static final int TITLE = 34;
    private static final Color DROPPED = new Color(0x22, 0x22, 0x22);
    private static final Color KEPT = new Color(0xf2, 0xf2, 0xf2);

    private DropBlockMaskPicture() {
    }

    /** The mask of one training pass of {@code d} on a [4, 4, 64, 64] NCHW batch from {@link #SEED}. */
    static INDArray mask(MaskDropout d) {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 4, 4, SIDE, SIDE);
        Nd4j.getRandom().setSeed(SEED);
        INDArray m = d.applyDropout(ones, ones.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        d.clear();
        return m;
    }

    /** Row r, column c of the grid: its dropout and which map (example, channel) of its mask is drawn. */
    static MaskDropout panelDropout(int row, int column) {
        if (row < KEEP.length) {
            return MaskDropout.dropBlock(KEEP[row], BLOCK_SIZES[column], CNN2DFormat.NCHW);
        }
        MaskDropout d = MaskDropout.dropBlock(0.8, 5, CNN2DFormat.NCHW);
        return column < 2 ? d : d.sharedAxes(1);
    }

    /** The channel of example 0 a panel shows: 0 in the grid; channels 0 and 1 in the last row. */
    static int panelChannel(int row, int column) {
        return row < KEEP.length ? 0 : column % 2;
    }

    static int rows() {
        return KEEP.length + 1;
    }

    static int columns() {
        return BLOCK_SIZES.length;
    }

    /** The left and top pixel of a panel's map. */
    static int[] origin(int row, int column) {
        int subtitle = row == KEEP.length ? CAPTION : 0;
        return new int[] {GAP + column * (PANEL + GAP), TITLE + row * (PANEL + CAPTION + GAP) + subtitle};
    }

    static BufferedImage draw() {
        int width = GAP + columns() * (PANEL + GAP);
        int height = TITLE + rows() * (PANEL + CAPTION + GAP) + CAPTION;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("MaskDropout.dropBlock(keep, block, NCHW) on 64 x 64 feature maps; black: dropped", GAP, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int[] last = origin(KEEP.length, 0);
        g.drawString("block 5, keep 0.8, two channels of one example: own blocks per channel (default), then"
                + " sharedAxes(1) (one pattern for all channels)", GAP, last[1] - 6);
        for (int row = 0; row < rows(); row++) {
            for (int column = 0; column < columns(); column++) {
                INDArray map = mask(panelDropout(row, column)).get(
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(panelChannel(row, column)));
                int[] at = origin(row, column);
                long kept = 0;
                for (int h = 0; h < SIDE; h++) {
                    for (int w = 0; w < SIDE; w++) {
                        boolean dropped = map.getDouble(h, w) == 0.0;
                        kept += dropped ? 0 : 1;
                        g.setColor(dropped ? DROPPED : KEPT);
                        g.fillRect(at[0] + w * CELL, at[1] + h * CELL, CELL, CELL);
                    }
                }
                g.setColor(Color.BLACK);
                g.drawString(caption(row, column, kept / (double) (SIDE * SIDE)), at[0], at[1] + PANEL + 14);
            }
        }
        g.dispose();
        return image;
    }

    private static String caption(int row, int column, double kept) {
        if (row < KEEP.length) {
            return String.format(Locale.ROOT, "block %d, keep %.2f: kept %.2f", BLOCK_SIZES[column], KEEP[row],
                    kept);
        }
        return String.format(Locale.ROOT, "channel %d%s: kept %.2f", column % 2, column < 2 ? "" : ", shared",
                kept);
    }

    /** Writes the picture to the path given (default: docs/dropblock-masks.png), creating its folder. */
    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        write(Paths.get(args.length > 0 ? args[0] : "docs/dropblock-masks.png"));
    }

    static Path write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(draw(), "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
        return file;
    }
}
