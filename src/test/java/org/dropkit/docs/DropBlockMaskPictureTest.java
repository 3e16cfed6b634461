package org.dropkit.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The README's picture of DropBlock masks shows the masks Dropkit makes: every cell of every panel is dark exactly
 * where the mask drops the unit. With {@code -Ddropkit.picture=docs/dropblock-masks.png} it also writes the picture
 * there (how the file in docs/ is made).
 */
class DropBlockMaskPictureTest {

    @Test
    void pictureShowsTheMasks(@TempDir Path dir) throws IOException {
        BufferedImage image = ImageIO.read(DropBlockMaskPicture.write(dir.resolve("masks.png")).toFile());
        int dark = 0;
        for (int row = 0; row < DropBlockMaskPicture.rows(); row++) {
            for (int column = 0; column < DropBlockMaskPicture.columns(); column++) {
                INDArray map = DropBlockMaskPicture.mask(DropBlockMaskPicture.panelDropout(row, column))
                        .get(NDArrayIndex.point(0), NDArrayIndex.point(DropBlockMaskPicture.panelChannel(row, column)));
                int[] at = DropBlockMaskPicture.origin(row, column);
                for (int h = 0; h < DropBlockMaskPicture.SIDE; h++) {
                    for (int w = 0; w < DropBlockMaskPicture.SIDE; w++) {
                        // the centre of the cell
                        int cell = DropBlockMaskPicture.CELL;
                        int rgb = image.getRGB(at[0] + w * cell + cell / 2, at[1] + h * cell + cell / 2) & 0xff;
                        boolean drawnDark = rgb < 0x80;
                        dark += drawnDark ? 1 : 0;
                        assertEquals(map.getDouble(h, w) == 0.0, drawnDark, "panel (" + row + ", " + column
                                + "), unit (" + h + ", " + w + ")");
                    }
                }
            }
        }
        assertTrue(dark > 0, "some units are drawn dropped");
        String target = System.getProperty("dropkit.picture");
        if (target != null && !target.isEmpty()) {
            DropBlockMaskPicture.write(Paths.get(target));
        }
    }
}
