/**
 * The mask engine and argument checks shared by every Dropkit class. Not a public API: it may change in any release.
 */
package org.dropkit.internal;
