/**
 * Gradient checks for users' own CI: {@link org.dropkit.testing.DropoutGradientCheck} runs DL4J's numerical gradient
 * check on a network with reproducible Dropkit masks, plus the exact {@code dx = dy * m} check of every Dropkit
 * dropout in it.
 */
package org.dropkit.testing;
