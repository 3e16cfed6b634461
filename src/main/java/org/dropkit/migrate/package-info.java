/**
 * Drop-in migration: {@link org.dropkit.migrate.DropoutSwap} replaces DL4J's built-in dropout in a configuration or a
 * trained network with Dropkit's of the same meaning, parameters and updater state kept, and reports what it
 * replaced, what it removed (dropout that dropped nothing) and what it left; {@link org.dropkit.migrate.DropoutExport}
 * is the way back, to DL4J's built-in classes, for networks that must load without Dropkit.
 */
package org.dropkit.migrate;
