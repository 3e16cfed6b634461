/** The runtime layers DL4J instantiates from the configurations in {@code org.dropkit.conf}. */
package org.dropkit.layers;
