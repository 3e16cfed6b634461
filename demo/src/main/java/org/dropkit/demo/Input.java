package org.dropkit.demo;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** How a network sees a digit: as 64 numbers, as an 8x8 image, or as a sequence of 8 rows of 8 pixels. */
enum Input {
    /** {@code [n, 64]}, for the MLP. */
    FLAT {
        @Override
        INDArray features(Digits digits) {
            return Nd4j.createFromArray(digits.scaled());
        }

        @Override
        InputType type() {
            return InputType.feedForward(Digits.PIXELS);
        }
    },
    /** {@code [n, 1, 8, 8]} (NCHW, one channel), for the CNN. */
    IMAGE {
        @Override
        INDArray features(Digits digits) {
            return FLAT.features(digits).reshape('c', digits.size(), 1, Digits.SIDE, Digits.SIDE);
        }

        @Override
        InputType type() {
            return InputType.convolutional(Digits.SIDE, Digits.SIDE, 1);
        }
    },
    /**
     * {@code [n, 8, 8]} in NCW: 8 time steps (the rows, top to bottom) of 8 features (the pixels of a row), for the
     * LSTM: {@code x[i][column][row]}.
     */
    ROWS {
        @Override
        INDArray features(Digits digits) {
            // [n, row, column] -> [n, column, row]
            return FLAT.features(digits).reshape('c', digits.size(), Digits.SIDE, Digits.SIDE).permute(0, 2, 1)
                    .dup('c');
        }

        @Override
        InputType type() {
            return InputType.recurrent(Digits.SIDE, Digits.SIDE);
        }
    };

    abstract INDArray features(Digits digits);

    abstract InputType type();

    DataSet dataSet(Digits digits) {
        return new DataSet(features(digits), Nd4j.createFromArray(digits.oneHot()));
    }
}
