package io.github.netobservch.rows;

import io.github.netobservch.format.OwnSerializerTypeInfo;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for {@link FlowRow}: always the versioned {@link FlowRowSerializer}, never
 * Kryo (given explicitly where the streams are built: {@link FlowRowStage}).
 */
public final class FlowRowTypeInfo extends OwnSerializerTypeInfo<FlowRow> {

    private static final long serialVersionUID = 1L;

    public static final FlowRowTypeInfo INSTANCE = new FlowRowTypeInfo();

    private FlowRowTypeInfo() {
        super(FlowRow.class);
    }

    @Override
    public TypeSerializer<FlowRow> createSerializer(SerializerConfig config) {
        return new FlowRowSerializer();
    }
}
