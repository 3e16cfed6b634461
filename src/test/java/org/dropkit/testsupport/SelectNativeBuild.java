package org.dropkit.testsupport;

import org.dropkit.util.NativeCpuBuild;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Before any test touches ND4J: load the nd4j-native build this CPU supports (AVX-512, AVX2 or generic). */
public final class SelectNativeBuild implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeCpuBuild.select();
    }
}
