/**
 * Dropkit: exact, fast, reproducible mask dropout for Deeplearning4j. Start with {@link org.dropkit.MaskDropout};
 * {@code p} is always the probability of retaining a unit.
 */
package org.dropkit;
