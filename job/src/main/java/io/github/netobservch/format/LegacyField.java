package io.github.netobservch.format;

/**
 * NetObserv keys from older releases that have no column of their own and are normalised onto a
 * current column when the current key is absent (the current key always wins). The original
 * message, legacy keys included, stays in {@code raw}.
 *
 * <p>Other legacy shapes are handled by value kinds rather than names: numeric {@code Flags} (≤
 * 1.7, {@link ValueKind#TCP_FLAGS}), upper-case MACs (≤ 1.8, {@link ValueKind#MAC}); {@code
 * Duplicate} (≤ 1.7) keeps a column ({@link ColumnRegistry#DUPLICATE}).
 */
public enum LegacyField {
    /** Single interface name (≤ 1.5) → {@code interfaces = [Interface]}. */
    INTERFACE("Interface", ColumnRegistry.INTERFACES),
    /** Interface-level direction (≤ 1.5) → {@code if_directions = [IfDirection]}. */
    IF_DIRECTION("IfDirection", ColumnRegistry.IF_DIRECTIONS),
    /** Per-interface directions of the 1.5 merge mode → {@code if_directions}. */
    FLOW_DIRECTIONS("FlowDirections", ColumnRegistry.IF_DIRECTIONS);

    private final String jsonName;
    private final Column target;

    LegacyField(String jsonName, Column target) {
        this.jsonName = jsonName;
        this.target = target;
    }

    public String jsonName() {
        return jsonName;
    }

    /** The current column this legacy key fills. */
    public Column target() {
        return target;
    }

    /** The legacy field for a JSON key, or {@code null}. */
    public static LegacyField of(String jsonName) {
        switch (jsonName) {
            case "Interface":
                return INTERFACE;
            case "IfDirection":
                return IF_DIRECTION;
            case "FlowDirections":
                return FLOW_DIRECTIONS;
            default:
                return null;
        }
    }
}
