/** Conveniences around ND4J that Dropkit itself does not need, such as picking the native CPU build. */
package org.dropkit.util;
