/** Layer configurations: {@link org.dropkit.conf.MaskDropoutLayer}, usable in any DL4J network configuration. */
package org.dropkit.conf;
