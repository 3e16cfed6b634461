/**
 * Monte Carlo dropout (Gal and Ghahramani 2016): dropout kept on at inference for chosen
 * {@link org.dropkit.conf.MaskDropoutLayer}s, T stochastic passes, predictive mean and spread. Start with
 * {@link org.dropkit.inference.MonteCarloDropout#of(org.deeplearning4j.nn.multilayer.MultiLayerNetwork)}.
 */
package org.dropkit.inference;
