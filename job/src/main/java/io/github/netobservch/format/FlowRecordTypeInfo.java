package io.github.netobservch.format;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for {@link FlowRecord}: always the registry-driven {@link
 * FlowRecordSerializer}, never Kryo. Picked up automatically through {@code @TypeInfo} on the
 * class, so {@code pipeline.generic-types=false} works.
 */
public final class FlowRecordTypeInfo extends TypeInformation<FlowRecord> {

    private static final long serialVersionUID = 1L;

    public static final FlowRecordTypeInfo INSTANCE = new FlowRecordTypeInfo();

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
    public Class<FlowRecord> getTypeClass() {
        return FlowRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FlowRecord> createSerializer(SerializerConfig config) {
        return new FlowRecordSerializer();
    }

    @Override
    public String toString() {
        return "FlowRecord";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FlowRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return FlowRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof FlowRecordTypeInfo;
    }
}
