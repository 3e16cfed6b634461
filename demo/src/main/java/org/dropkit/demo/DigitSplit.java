package org.dropkit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small training subset, the same number of images of every digit, and a held-out set from the other images, drawn
 * from a seed: each seed of the demo trains on a different subset.
 */
final class DigitSplit {

    final Digits train;
    final Digits heldOut;

    private DigitSplit(Digits train, Digits heldOut) {
        this.train = train;
        this.heldOut = heldOut;
    }

    /**
     * @param perClass  training images of each digit
     * @param maxHeldOut the most held-out images (all the others when there are fewer)
     */
    static DigitSplit of(Digits all, long seed, int perClass, int maxHeldOut) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < Digits.CLASSES; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < all.size(); i++) {
            byClass.get(all.labels[i]).add(i);
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        for (List<Integer> indices : byClass) {
            if (indices.size() <= perClass) {
                throw new IllegalArgumentException("a digit has " + indices.size() + " images, too few for "
                        + perClass + " training images of each digit and a held-out set");
            }
            shuffle(indices, random);
            train.addAll(indices.subList(0, perClass));
            rest.addAll(indices.subList(perClass, indices.size()));
        }
        shuffle(train, random);
        shuffle(rest, random);
        return new DigitSplit(all.subset(toArray(train)),
                all.subset(toArray(rest.subList(0, Math.min(maxHeldOut, rest.size())))));
    }

    private static void shuffle(List<Integer> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static int[] toArray(List<Integer> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
