package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Training subsets: balanced, disjoint from the held-out images, the same for a seed and different across seeds. */
class DigitSplitTest {

    private static final Digits ALL = Digits.load();

    @Test
    void trainingSubsetHasTheSameNumberOfEveryDigitAndNoHeldOutImage() {
        DigitSplit split = DigitSplit.of(ALL, 42, 20, 10_000);
        int[] expected = new int[10];
        Arrays.fill(expected, 20);
        assertArrayEquals(expected, split.train.classCounts());
        assertEquals(1797 - 200, split.heldOut.size());
        Set<String> train = keys(split.train);
        for (String k : keys(split.heldOut)) {
            assertFalse(train.contains(k), "a held-out image is in the training subset");
        }
        assertEquals(1797, train.size() + keys(split.heldOut).size(), "every image is used once");
    }

    @Test
    void sameSeedSameSplitAndAnotherSeedAnother() {
        DigitSplit a = DigitSplit.of(ALL, 7, 10, 300);
        DigitSplit b = DigitSplit.of(ALL, 7, 10, 300);
        DigitSplit c = DigitSplit.of(ALL, 8, 10, 300);
        assertArrayEquals(a.train.pixels, b.train.pixels);
        assertArrayEquals(a.heldOut.labels, b.heldOut.labels);
        assertEquals(300, a.heldOut.size());
        assertFalse(keys(a.train).equals(keys(c.train)));
    }

    @Test
    void rejectsMoreTrainingImagesThanADigitHas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DigitSplit.of(ALL, 1, 174, 10));
        assertTrue(e.getMessage().contains("174"), e.getMessage());
    }

    private static Set<String> keys(Digits d) {
        Set<String> keys = new HashSet<>();
        for (byte[] image : d.pixels) {
            keys.add(Arrays.toString(image));
        }
        return keys;
    }
}
