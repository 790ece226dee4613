package io.github.netobservch.loki.query;

import java.util.Map;

/** A SELECT and its typed query parameters ({@code {name:Type}} placeholders, sent as {@code param_name}). */
public record SqlQuery(String sql, Map<String, String> params) {
    public SqlQuery {
        params = Map.copyOf(params);
    }
}
