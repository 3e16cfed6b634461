package org.dropkit.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a test class with ND4J's default data types set to DOUBLE, as gradient checks need, and restores them. */
public final class DoublePrecision implements BeforeAllCallback, AfterAllCallback {

    private DataType before;
    private DataType beforeFloating;

    @Override
    public void beforeAll(ExtensionContext context) {
        before = Nd4j.dataType();
        beforeFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Nd4j.setDefaultDataTypes(before, beforeFloating);
    }
}
