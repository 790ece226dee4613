package io.github.netobservch.format;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink type information for a type that has one serializer of its own: never Kryo, never Flink's
 * POJO analysis, so {@code pipeline.generic-types=false} works. Subclasses name the class and
 * create the serializer; instances of one subclass are equal.
 *
 * @param <T> the type
 */
public abstract class OwnSerializerTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    protected OwnSerializerTypeInfo(Class<T> type) {
        this.type = type;
    }

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
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public String toString() {
        return type.getSimpleName();
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }
}
