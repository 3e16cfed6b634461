package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class DropkitVersionTest {

    /** Maven's surefire configuration passes the pom's version (pom.xml, systemPropertyVariables). */
    @Test
    void versionIsThePomVersion() {
        String expected = System.getProperty("dropkit.expectedVersion");
        assertNotNull(expected, "run through Maven (mvn test), which passes the pom's version as dropkit.expectedVersion");
        assertEquals(expected, Dropkit.version());
    }
}
