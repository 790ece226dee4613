package io.github.netobservch.format;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Connects {@link FlowRecord} to {@link FlowRecordTypeInfo} via {@code @TypeInfo}. */
public final class FlowRecordTypeInfoFactory extends TypeInfoFactory<FlowRecord> {
    @Override
    public TypeInformation<FlowRecord> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return FlowRecordTypeInfo.INSTANCE;
    }
}
