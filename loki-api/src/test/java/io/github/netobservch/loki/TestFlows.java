package io.github.netobservch.loki;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.parse.RawPolicy;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.testing.ClickHouseTestServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Flow records in NetObserv's export shape (docs/netobserv-format.md), written for these tests, and
 * their loading into ClickHouse exactly as the job does it: the job's parser, enricher and row
 * encoder, then one RowBinary INSERT into the migrated schema.
 *
 * <p>The set is built to exercise the read API's edges: records exactly on step boundaries and one
 * millisecond either side, steps without records, fields an unwrap needs missing or zero, IPv4
 * and IPv6 addresses, pods, services, nodes and external peers (no Kubernetes fields), all three
 * FlowDirection values and none, and traffic that moves between namespace pairs over time so that
 * topk membership changes between steps.
 */
public final class TestFlows {

    /** The tests' "now": 2025-12-06T05:51:40Z, 300 s after the plugin tests' placeholder start. */
    public static final long NOW_MS = 1_765_000_300_000L;

    /** A step grid origin all boundary records align to. */
    public static final long GRID_MS = 1_765_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    // includes the values the plugin's own test queries filter on (default, ns1, test-namespace...)
    private static final String[] NAMESPACES = {
        "shop", "payments", "openshift-dns", "default", "ns1", "test-namespace", "exact-namespace"
    };
    private static final String[] POD_NAMES = {"test-pod", "name1", "name2", "exact-pod", "hello", "test"};
    private static final String[] RECORD_TYPES = {
        "flowLog", "flowLog", "flowLog", "newConnection", "heartbeat", "endConnection"
    };
    private static final String[] OWNERS = {"frontend", "cart", "checkout", "dns-default", "prometheus"};

    private TestFlows() {}

    /** {@code n} records ending in the hour before {@link #NOW_MS}, deterministic for {@code seed}. */
    public static List<ObjectNode> generate(int n, long seed, boolean conntrackField) {
        Random rnd = new Random(seed);
        List<ObjectNode> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long end;
            int edge = rnd.nextInt(10);
            if (edge < 3) {
                // on a 5 s grid point relative to GRID_MS, or 1 ms either side
                long k = rnd.nextInt(900) - 700;
                end = GRID_MS + k * 5_000 + (edge - 1);
            } else {
                end = NOW_MS - 3_600_000L + (long) (rnd.nextDouble() * 3_600_000L);
            }
            if (end > NOW_MS) {
                end = NOW_MS - 1;
            }
            out.add(record(rnd, i, end, conntrackField));
        }
        return out;
    }

    private static ObjectNode record(Random rnd, int i, long end, boolean conntrackField) {
        ObjectNode r = JSON.createObjectNode();
        long start = end - rnd.nextInt(20_000);
        // phases: the busiest namespace pair changes every 10 minutes (topk membership moves)
        int phase = (int) Math.floorMod((end - GRID_MS) / 600_000L, NAMESPACES.length);
        boolean v6 = rnd.nextInt(5) == 0;
        int kind = rnd.nextInt(10); // 0-5 pod->pod, 6 pod->service, 7 node->node, 8 pod->external, 9 external->pod
        int srcNs = kind < 6 && rnd.nextBoolean() ? phase : rnd.nextInt(NAMESPACES.length);
        int dstNs = kind < 6 && rnd.nextBoolean() ? (phase + 1) % NAMESPACES.length : rnd.nextInt(NAMESPACES.length);

        r.put("AgentIP", "10.0.131." + (1 + rnd.nextInt(3)));
        boolean bytesPresent = rnd.nextInt(20) != 0;
        if (bytesPresent) {
            long bytes = rnd.nextInt(15) == 0 ? 0 : (kind < 6 && srcNs == phase ? 50_000 : 0) + rnd.nextInt(20_000);
            r.put("Bytes", bytes);
            r.put("Packets", bytes == 0 ? 0 : 1 + bytes / 1400);
        }
        String srcAddr = v6
                ? "fd01:0:0:" + (1 + srcNs) + "::" + Integer.toHexString(1 + rnd.nextInt(30))
                : "10.128." + srcNs + "." + (1 + rnd.nextInt(12));
        String dstAddr = v6
                ? "fd01:0:0:" + (1 + dstNs) + "::" + Integer.toHexString(1 + rnd.nextInt(30))
                : "10.128." + dstNs + "." + (1 + rnd.nextInt(12));
        if (kind == 8) {
            dstAddr = v6
                    ? "2001:db8::" + Integer.toHexString(1 + rnd.nextInt(200))
                    : "203.0.113." + (1 + rnd.nextInt(200));
        }
        if (kind == 9) {
            srcAddr = v6
                    ? "2001:db8::" + Integer.toHexString(1 + rnd.nextInt(200))
                    : "198.51.100." + (1 + rnd.nextInt(200));
        }
        if (rnd.nextInt(60) == 0) {
            // the pair the plugin's own IP filter tests use
            srcAddr = "10.128.0.1";
            dstAddr = "10.128.0.2";
        }
        boolean nonIp = rnd.nextInt(30) == 0;
        if (nonIp) {
            // ARP: no addresses, ports or protocol (docs/netobserv-format.md, non-IP flows)
            r.put("DstMac", "ff:ff:ff:ff:ff:ff");
            r.put("Etype", 2054);
            r.put("SrcMac", "0a:58:0a:80:00:01");
            r.put("TimeFlowEndMs", end);
            r.put("TimeFlowStartMs", start);
            r.put("TimeReceived", end / 1000 + 2);
            if (bytesPresent) {
                r.put("FlowDirection", 1);
            }
            r.putArray("Interfaces").add("br-ex");
            return r;
        }
        r.put("DstAddr", dstAddr);
        r.put("DstMac", "0a:58:0a:80:0" + dstNs + ":11");
        r.put("DstPort", rnd.nextInt(4) == 0 ? 8080 : (rnd.nextInt(3) == 0 ? 53 : (rnd.nextInt(4) == 0 ? 70 : 443)));
        r.put("Dscp", 0);
        r.put("Etype", v6 ? 34525 : 2048);
        int dir = rnd.nextInt(12);
        if (dir < 11) {
            r.put("FlowDirection", dir % 3);
        }
        ArrayNode ifDirs = r.putArray("IfDirections");
        ifDirs.add(dir % 2);
        ArrayNode ifs = r.putArray("Interfaces");
        ifs.add(rnd.nextBoolean() ? "br-ex" : "genev_sys_6081");
        r.put("K8S_ClusterName", rnd.nextInt(4) == 0 ? "prod-us" : "prod-eu");
        r.put("K8S_FlowLayer", kind == 7 ? "infra" : "app");
        r.put("Proto", rnd.nextInt(4) == 0 ? 17 : 6);
        r.put("Sampling", 50);
        r.put("SrcAddr", srcAddr);
        r.put("SrcMac", "0a:58:0a:80:0" + srcNs + ":01");
        r.put("SrcPort", rnd.nextInt(3) == 0 ? 8080 : 30_000 + rnd.nextInt(30_000));
        if (kind != 9) {
            peer(
                    r,
                    "Src",
                    kind == 7 ? "Node" : "Pod",
                    NAMESPACES[srcNs],
                    OWNERS[rnd.nextInt(OWNERS.length)],
                    rnd,
                    kind == 7);
        }
        if (kind != 8) {
            String type = kind == 6 ? "Service" : (kind == 7 ? "Node" : "Pod");
            peer(r, "Dst", type, NAMESPACES[dstNs], OWNERS[rnd.nextInt(OWNERS.length)], rnd, kind == 7);
        }
        if (rnd.nextInt(3) == 0) {
            r.put("TimeFlowRttNs", rnd.nextInt(10) == 0 ? 0 : 100_000 + rnd.nextInt(5_000_000));
        }
        if (rnd.nextInt(5) == 0) {
            r.put("DnsId", rnd.nextInt(65_000));
            r.put("DnsFlags", 33152);
            r.put("DnsFlagsResponseCode", rnd.nextInt(4) == 0 ? "NXDomain" : "NoError");
            r.put("DnsLatencyMs", rnd.nextInt(6) == 0 ? 0 : rnd.nextInt(40));
            r.put("DnsName", rnd.nextInt(3) == 0 ? "café.example/a<b>&c" : "api.github.com");
        }
        if (rnd.nextInt(8) == 0) {
            r.put("PktDropBytes", 60 + rnd.nextInt(3000));
            r.put("PktDropPackets", 1 + rnd.nextInt(5));
            r.put(
                    "PktDropLatestDropCause",
                    rnd.nextBoolean() ? "SKB_DROP_REASON_NO_SOCKET" : "SKB_DROP_REASON_TCP_CSUM");
            r.put("PktDropLatestFlags", 16);
            r.put("PktDropLatestState", rnd.nextBoolean() ? "TCP_ESTABLISHED" : "TCP_SYN_SENT");
        }
        r.put("TimeFlowEndMs", end);
        r.put("TimeFlowStartMs", start);
        r.put("TimeReceived", end / 1000 + 2);
        if (conntrackField) {
            r.put("_RecordType", RECORD_TYPES[rnd.nextInt(RECORD_TYPES.length)]);
        }
        if (rnd.nextInt(6) == 0) {
            // fields no column holds: they live only in raw (the plugin's tests filter on such keys)
            r.put("foo", rnd.nextBoolean() ? "bar" : "baz");
            if (rnd.nextBoolean()) {
                r.put("flis", rnd.nextBoolean() ? "flas" : "flos");
            }
            r.put("SomeField", "value-" + rnd.nextInt(3));
        }
        r.put("_HashId", Long.toHexString(0x1000_0000L + i));
        return r;
    }

    private static void peer(
            ObjectNode r, String side, String type, String ns, String owner, Random rnd, boolean node) {
        String host = "ip-10-0-131-" + (1 + rnd.nextInt(3)) + ".eu-west-3.compute.internal";
        r.put(side + "K8S_HostIP", "10.0.131." + (1 + rnd.nextInt(3)));
        r.put(side + "K8S_HostName", host);
        if (node) {
            r.put(side + "K8S_Name", host);
            r.put(side + "K8S_OwnerName", host);
            r.put(side + "K8S_OwnerType", "Node");
        } else {
            r.put(
                    side + "K8S_Name",
                    rnd.nextInt(4) == 0
                            ? POD_NAMES[rnd.nextInt(POD_NAMES.length)]
                            : owner + "-6b7f9d4c8-" + "abc".charAt(rnd.nextInt(3)) + "x" + ns.length());
            r.put(side + "K8S_Namespace", ns);
            r.put(side + "K8S_OwnerName", owner);
            r.put(side + "K8S_OwnerType", type.equals("Service") ? "Service" : "Deployment");
        }
        r.put(side + "K8S_Type", type);
        r.put(side + "K8S_Zone", "eu-west-3" + (char) ('a' + rnd.nextInt(3)));
        r.put(side + "SubnetLabel", node ? "Machines" : (type.equals("Service") ? "Services" : "Pods"));
    }

    /** Migrates a fresh database on {@code server} and returns its name. */
    public static String createSchema(ClickHouseTestServer server) throws Exception {
        String db = server.createDatabase("lokiapi");
        SchemaOptions options = SchemaOptions.defaults()
                .withDatabase(db)
                .withRetention(3650, 3650, 3650)
                .withDedupWindow(1000, 3600);
        migrate(
                server.httpUrl(),
                server.credentials().getProperty("user"),
                server.credentials().getProperty("password"),
                options);
        return db;
    }

    /** Applies the repository's migrations with {@code options} (the database must exist). */
    public static void migrate(String url, String user, String password, SchemaOptions options) {
        new SchemaMigrator(SchemaMigrator.jdbc(url, user, password), options, Migration.loadDirectory(sqlSchemaDir()))
                .migrate();
    }

    /** Loads {@code records} through the job's parser, enricher and encoder into {@code db.flows}. */
    public static void load(ClickHouseTestServer server, String db, List<ObjectNode> records) throws Exception {
        load(server, db, records, RawPolicy.WHOLE);
    }

    /** {@link #load(ClickHouseTestServer, String, List)} with the job's {@code raw.policy}. */
    public static void load(ClickHouseTestServer server, String db, List<ObjectNode> records, RawPolicy policy)
            throws Exception {
        load(
                server.httpUrl(),
                server.credentials().getProperty("user"),
                server.credentials().getProperty("password"),
                db + ".flows",
                records,
                policy);
    }

    /** Loads {@code records} like the job into {@code table} (qualified) at {@code url}. */
    public static void load(String url, String user, String password, String table, List<ObjectNode> records)
            throws Exception {
        load(url, user, password, table, records, RawPolicy.WHOLE);
    }

    /** Loads {@code records} like the job, with the job's {@code raw.policy}. */
    public static void load(
            String url, String user, String password, String table, List<ObjectNode> records, RawPolicy policy)
            throws Exception {
        FlowParser parser =
                new FlowParser(ParserConfig.builder().rawPolicy(policy).build());
        FlowRowEncoder encoder = new FlowRowEncoder();
        RowBinaryWriter rows = new RowBinaryWriter();
        long offset = 0;
        for (ObjectNode r : records) {
            byte[] value = JSON.writeValueAsBytes(r);
            int partition = (int) (offset % 3);
            FlowRecord rec = parser.parse(new KafkaMessage(
                    "flows-export", partition, offset, r.get("TimeFlowEndMs").asLong(), value));
            encoder.encode(FlowEnricher.enrich(rec), rows);
            offset++;
        }
        post(url, user, password, "INSERT INTO " + table + " FORMAT RowBinary", rows.toByteArray());
    }

    /**
     * The tests' one ClickHouse HTTP call: {@code statement} in the URL, {@code body} posted (the
     * data of an INSERT, or empty). Returns the answer; anything but 200 throws with ClickHouse's text.
     */
    public static String post(String url, String user, String password, String statement, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create(url + "/?query=" + URLEncoder.encode(statement, StandardCharsets.UTF_8)))
                .timeout(Duration.ofHours(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        req.header("X-ClickHouse-User", user);
        if (!password.isEmpty()) {
            req.header("X-ClickHouse-Key", password);
        }
        HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(statement.substring(0, Math.min(200, statement.length())) + ": " + r.body());
        }
        return r.body();
    }

    static Path sqlSchemaDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("sql").resolve("schema"))) {
                return p.resolve("sql").resolve("schema");
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no sql/schema above " + Path.of("").toAbsolutePath());
    }
}
