package io.github.netobservch.loki.query;

import java.util.regex.Pattern;

/**
 * A tenant ({@code X-Scope-OrgID}) and what it may read: a database holding the flows table and,
 * optionally, one cluster name ({@code k8s_cluster_name}) within it.
 */
public record Tenant(String id, String database, String table, String cluster) {

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public Tenant {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("tenant id must not be empty");
        }
        if (!IDENT.matcher(database).matches() || !IDENT.matcher(table).matches()) {
            throw new IllegalArgumentException("invalid database or table for tenant " + id);
        }
    }

    /** Parses {@code id=database[/cluster]}; the table is {@code table}. */
    public static Tenant parse(String spec, String table) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("tenant must be id=database[/cluster], got: " + spec);
        }
        String id = spec.substring(0, eq).trim();
        String rest = spec.substring(eq + 1).trim();
        int slash = rest.indexOf('/');
        String db = slash < 0 ? rest : rest.substring(0, slash);
        String cluster = slash < 0 ? null : rest.substring(slash + 1);
        return new Tenant(id, db, table, cluster == null || cluster.isEmpty() ? null : cluster);
    }

    /** {@code database.table}. */
    public String qualifiedTable() {
        return database + "." + table;
    }

    /** The cluster condition as SQL (the name is a literal with quotes escaped), or null. */
    public String filterSql() {
        if (cluster == null) {
            return null;
        }
        return "k8s_cluster_name = '" + cluster.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
