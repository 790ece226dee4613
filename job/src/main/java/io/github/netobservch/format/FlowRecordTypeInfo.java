package io.github.netobservch.format;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for {@link FlowRecord}: always the registry-driven {@link
 * FlowRecordSerializer}, never Kryo. Picked up automatically through {@code @TypeInfo} on the
 * class, so {@code pipeline.generic-types=false} works.
 */
public final class FlowRecordTypeInfo extends OwnSerializerTypeInfo<FlowRecord> {

    private static final long serialVersionUID = 1L;

    public static final FlowRecordTypeInfo INSTANCE = new FlowRecordTypeInfo();

    private FlowRecordTypeInfo() {
        super(FlowRecord.class);
    }

    @Override
    public TypeSerializer<FlowRecord> createSerializer(SerializerConfig config) {
        return new FlowRecordSerializer();
    }
}
