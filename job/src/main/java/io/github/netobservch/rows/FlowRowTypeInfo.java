package io.github.netobservch.rows;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for {@link FlowRow}: always the versioned {@link FlowRowSerializer}, never
 * Kryo (given explicitly where the streams are built: {@link FlowRowStage}).
 */
public final class FlowRowTypeInfo extends TypeInformation<FlowRow> {

    private static final long serialVersionUID = 1L;

    public static final FlowRowTypeInfo INSTANCE = new FlowRowTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<FlowRow> getTypeClass() {
        return FlowRow.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FlowRow> createSerializer(SerializerConfig config) {
        return new FlowRowSerializer();
    }

    @Override
    public String toString() {
        return "FlowRow";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FlowRowTypeInfo;
    }

    @Override
    public int hashCode() {
        return FlowRowTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof FlowRowTypeInfo;
    }
}
