package io.github.netobservch.generate;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.TcpFlags;
import io.github.netobservch.generate.GeneratedMessage.Role;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Deterministic generator of realistic NetObserv {@code flows-export} messages (compact JSON,
 * keys in Go's sorted order, field for field like the examples of docs/netobserv-format.md §4), with
 * ground truth per message ({@link GeneratedMessage}). Same seed and config → same bytes.
 *
 * <p>Scenarios ({@link GeneratorConfig#SCENARIOS}): pod→pod across nodes (reported by both nodes:
 * egress copy from the source node, ingress copy from the destination node, with their own
 * timestamps, interfaces, AgentIP and independently sampled counters), pod→pod on one node
 * (inner), pod→Service ClusterIP (with packet translation on a share), host network node→node
 * (both nodes), pod→external, external→pod, DNS query + response (with latency, rcode and name),
 * ICMP echo across nodes. TCP flows are long-lived on a share: successive ~15 s slices. IPv6 on a
 * share. RTT, drops, network events and xlat on configurable shares. Exact Kafka re-sends, legacy
 * (≤ 1.5) records with {@code Duplicate: true} copies, and invalid messages labelled with the
 * dead-letter reason the parser must report.
 *
 * <p>Not thread-safe. Simulated time: the clock advances {@code 1000 / recordsPerSecond} ms per
 * message.
 */
public final class FlowGenerator implements Iterator<GeneratedMessage> {

    private static final long SLICE_MS = 15_000;
    /** After an ICMP flow ends, its key stays quiet this long (about one agent eviction period). */
    private static final long ICMP_KEY_QUIET_MS = 5_000;

    private static final String[] APP_NAMESPACES = {"shop", "payments", "auth", "search", "catalog"};
    private static final String[] APPS = {"frontend", "checkout", "cart", "api", "worker", "cache", "db"};
    private static final String[] EXTERNAL_V4 = {
        "140.82.121.4", "151.101.1.69", "52.95.110.1", "142.250.74.110", "203.0.113.25", "198.51.100.7"
    };
    private static final String[] EXTERNAL_V6 = {"2606:50c0:8000::154", "2a00:1450:4007:80e::200e", "2001:db8:ffff::17"
    };
    private static final String[] DNS_NAMES = {
        "api.github.com",
        "checkout.shop.svc.cluster.local",
        "s3.eu-west-3.amazonaws.com",
        "registry.redhat.io",
        "payments.shop.svc.cluster.local",
        "unknown.example.org"
    };
    private static final String[] DROP_CAUSES = {
        "SKB_DROP_REASON_NO_SOCKET",
        "SKB_DROP_REASON_TCP_INVALID_SEQUENCE",
        "OVS_DROP_EXPLICIT",
        "SKB_DROP_REASON_NETFILTER_DROP"
    };
    private static final String[] DROP_STATES = {
        "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_CLOSE_WAIT", "TCP_INVALID_STATE"
    };
    private static final DeadLetterReason[] INVALID_REASONS = {
        DeadLetterReason.EMPTY, DeadLetterReason.MALFORMED_JSON, DeadLetterReason.NOT_AN_OBJECT,
                DeadLetterReason.NOT_UTF8,
        DeadLetterReason.MISSING_FIELD, DeadLetterReason.WRONG_TYPE, DeadLetterReason.OUT_OF_RANGE,
                DeadLetterReason.INVALID_IP,
        DeadLetterReason.INVALID_MAC, DeadLetterReason.END_BEFORE_START, DeadLetterReason.DUPLICATE_FIELD,
                DeadLetterReason.NESTING_TOO_DEEP
    };

    private final GeneratorConfig cfg;
    private final SplittableRandom rnd;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private final Service dnsService;
    private final int totalWeight;

    private final ArrayDeque<GeneratedMessage> ready = new ArrayDeque<>();
    /** ICMP flow keys in use, until when (simulated epoch ms); see {@link #produce()}. */
    private final Map<String, Long> busyIcmpKeys = new HashMap<>();

    private int pruneBusyAt = 4096;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>(
            (a, b) -> a.dueMs != b.dueMs ? Long.compare(a.dueMs, b.dueMs) : Long.compare(a.seq, b.seq));
    private final GeneratedMessage[] history = new GeneratedMessage[256];
    private long historyCount;
    private long index;
    private long nextFlowId;
    private long pendingSeq;
    private double clockMs;

    public FlowGenerator(GeneratorConfig cfg) {
        this.cfg = cfg;
        this.rnd = new SplittableRandom(cfg.seed);
        this.clockMs = cfg.startEpochMs;
        int tw = 0;
        for (int w : cfg.weights) {
            tw += w;
        }
        this.totalWeight = tw;
        buildTopology();
        this.dnsService = services.get(0);
    }

    /** The first {@code n} messages of the generator for {@code cfg}. */
    public static List<GeneratedMessage> generate(GeneratorConfig cfg, int n) {
        FlowGenerator g = new FlowGenerator(cfg);
        List<GeneratedMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(g.next());
        }
        return out;
    }

    /** The first {@code n} valid messages of the generator for {@code seed}'s default configuration. */
    public static List<GeneratedMessage> validMessages(long seed, int n) {
        FlowGenerator g = new FlowGenerator(GeneratorConfig.builder(seed).build());
        List<GeneratedMessage> messages = new ArrayList<>(n);
        while (messages.size() < n) {
            GeneratedMessage m = g.next();
            if (m.valid()) {
                messages.add(m);
            }
        }
        return messages;
    }

    /**
     * {@link #validMessages}, parsed with the default parser settings and enriched: the records the
     * job would encode.
     */
    public static List<FlowRecord> parsedRecords(long seed, int n) {
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        List<FlowRecord> records = new ArrayList<>(n);
        for (GeneratedMessage m : validMessages(seed, n)) {
            try {
                records.add(FlowEnricher.enrich(parser.parse(m.value())));
            } catch (FlowParseException e) {
                throw new IllegalStateException("a valid generated message was rejected: " + m, e);
            }
        }
        return records;
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public GeneratedMessage next() {
        // invalid messages and re-sends are drawn per message, so their shares hold exactly in expectation
        double roll = rnd.nextDouble();
        GeneratedMessage m;
        if (roll < cfg.invalidShare) {
            m = invalid();
        } else if (roll < cfg.invalidShare + cfg.resendShare && historyCount > 0) {
            int n = (int) Math.min(historyCount, history.length);
            GeneratedMessage orig = history[rnd.nextInt(n)];
            m = new GeneratedMessage(
                    index++,
                    orig.value(),
                    Role.RESEND,
                    null,
                    orig.scenario(),
                    orig.flowId(),
                    orig.slice(),
                    orig.index(),
                    orig.bytes(),
                    orig.packets(),
                    orig.sampling(),
                    orig.legacy());
        } else {
            while (ready.isEmpty()) {
                produce();
            }
            m = ready.poll();
            m = m.withIndex(index++);
            history[(int) (historyCount++ % history.length)] = m;
        }
        clockMs += 1000.0 / cfg.recordsPerSecond;
        return m;
    }

    /** Current simulated time (epoch ms). */
    public long clockMs() {
        return (long) clockMs;
    }

    // ------------------------------------------------------------------ topology

    private static final class Node {
        String name;
        String ip;
        String ip6;
        String zone;
        String mac;
        String gwMac;
        int index;
    }

    private static final class Pod {
        String name;
        String namespace;
        String owner;
        String ownerType;
        Node node;
        String ip;
        String ip6;
        String mac;
        String veth;
    }

    private static final class Service {
        String name;
        String namespace;
        String ip;
        String ip6;
        List<Pod> backends = new ArrayList<>();
    }

    private void buildTopology() {
        String[] zones = {"eu-west-3a", "eu-west-3b", "eu-west-3c"};
        for (int i = 0; i < cfg.nodes; i++) {
            Node n = new Node();
            n.index = i;
            int third = 128 + 8 * i + rnd.nextInt(8);
            int fourth = 2 + rnd.nextInt(250);
            n.ip = "10.0." + third + "." + fourth;
            n.ip6 = "fd00::" + Integer.toHexString(0x100 + i);
            n.name = "ip-10-0-" + third + "-" + fourth + ".eu-west-3.compute.internal";
            n.zone = zones[i % zones.length];
            n.mac = String.format(
                    "06:%02x:%02x:%02x:%02x:%02x",
                    rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
            n.gwMac = String.format("0a:58:0a:%02x:%02x:01", 128 + i, 0);
            nodes.add(n);
        }
        // DNS first: services.get(0)
        Service dns = new Service();
        dns.name = "dns-default";
        dns.namespace = "openshift-dns";
        dns.ip = "172.30.0.10";
        dns.ip6 = "fd02::a";
        for (Node n : nodes) {
            dns.backends.add(pod("dns-default", "openshift-dns", "DaemonSet", n));
        }
        services.add(dns);
        int svc = 0;
        for (String ns : APP_NAMESPACES) {
            for (int a = 0; a < 2 + rnd.nextInt(2); a++) {
                String app = APPS[rnd.nextInt(APPS.length)];
                if (services.stream().anyMatch(s -> s.namespace.equals(ns) && s.name.equals(app))) {
                    continue;
                }
                Service s = new Service();
                s.name = app;
                s.namespace = ns;
                svc++;
                s.ip = "172.30." + (1 + svc / 200) + "." + (10 + svc % 200);
                s.ip6 = "fd02::" + Integer.toHexString(0x1000 + svc);
                int replicas = 2 + rnd.nextInt(3);
                for (int r = 0; r < replicas; r++) {
                    s.backends.add(pod(app, ns, "Deployment", nodes.get(rnd.nextInt(nodes.size()))));
                }
                services.add(s);
            }
        }
    }

    private Pod pod(String owner, String ns, String ownerType, Node node) {
        Pod p = new Pod();
        p.owner = owner;
        p.namespace = ns;
        p.ownerType = ownerType;
        p.node = node;
        String suffix = randomName(5);
        p.name = "DaemonSet".equals(ownerType) ? owner + "-" + suffix : owner + "-" + randomHex(9) + "-" + suffix;
        int b3 = rnd.nextInt(2) * 2 + (node.index % 2 == 0 ? 2 : 4);
        int b4 = 10 + pods.size() % 240;
        p.ip = "10." + (128 + node.index) + "." + b3 + "." + b4;
        p.ip6 = "fd01:0:0:" + Integer.toHexString(node.index + 1) + "::" + Integer.toHexString(b3 * 256 + b4);
        p.mac = String.format("0a:58:0a:%02x:%02x:%02x", 128 + node.index, b3, b4);
        p.veth = randomHex(15);
        pods.add(p);
        return p;
    }

    private String randomHex(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append("0123456789abcdef".charAt(rnd.nextInt(16)));
        }
        return sb.toString();
    }

    private String randomName(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append("bcdfghjklmnpqrstvwxz2456789".charAt(rnd.nextInt(27)));
        }
        return sb.toString();
    }

    private Pod appPod() {
        Service s = services.get(1 + rnd.nextInt(services.size() - 1));
        return s.backends.get(rnd.nextInt(s.backends.size()));
    }

    // ------------------------------------------------------------------ flows

    /** One side of a flow. Exactly one of pod/service/node/external is set. */
    private static final class Endpoint {
        Pod pod;
        Service service;
        Node node;
        String external;

        String addr(boolean v6) {
            if (pod != null) {
                return v6 ? pod.ip6 : pod.ip;
            }
            if (service != null) {
                return v6 ? service.ip6 : service.ip;
            }
            if (node != null) {
                return v6 ? node.ip6 : node.ip;
            }
            return external;
        }

        Node host() {
            return pod != null ? pod.node : node;
        }

        String namespace() {
            return pod != null ? pod.namespace : service != null ? service.namespace : null;
        }
    }

    /** A reporter of a flow: node, FlowDirection (null = absent), interfaces, role. */
    private static final class Reporter {
        Node node;
        Integer flowDirection;
        List<String> interfaces;
        List<Integer> ifDirections;
        String srcMac;
        String dstMac;
        Role role;
    }

    private static final class Flow {
        long id;
        String scenario;
        boolean v6;
        boolean legacy;
        int proto;
        Endpoint src;
        Endpoint dst;
        int srcPort;
        int dstPort;
        int icmpType = -1;
        int icmpCode;
        List<Reporter> reporters = new ArrayList<>();
        long startMs;
        int slices = 1;
        int avgPacketSize;
        boolean rtt;
        boolean drop;
        boolean events;
        Pod xlatBackend;
        int xlatPort;
        int dnsId = -1;
        boolean dnsResponse;
        String dnsName;
        String dnsRcode;
    }

    private static final class Pending {
        Flow flow;
        int slice;
        long dueMs;
        long seq;
    }

    private void produce() {
        long now = (long) clockMs;
        Pending due = pending.peek();
        if (due != null && due.dueMs <= now) {
            pending.poll();
            emitSlice(due.flow, due.slice);
            return;
        }
        Flow f = newFlow(now);
        // A NetObserv agent aggregates every packet of one flow key into one record per eviction period,
        // so a reporter never reports two overlapping flows of the same key. ICMP keys have no ports, and
        // the few pod pairs would otherwise get dozens of concurrent "flows" per key within seconds —
        // more slices than dedup's per-key fingerprint ring is sized for (its exact re-sends then
        // escaped dedup in the benchmark). Ported keys repeat too rarely to matter.
        for (int tries = 0; tries < 20 && icmpKeyBusy(f, now); tries++) {
            f = newFlow(now);
        }
        if (f.icmpType >= 0) {
            busyIcmpKeys.put(icmpKey(f), f.startMs + f.slices * SLICE_MS + ICMP_KEY_QUIET_MS);
            if (busyIcmpKeys.size() > pruneBusyAt) {
                busyIcmpKeys.values().removeIf(until -> until < now);
                pruneBusyAt = Math.max(4096, 2 * busyIcmpKeys.size());
            }
        }
        emitSlice(f, 0);
        for (int s = 1; s < f.slices; s++) {
            Pending p = new Pending();
            p.flow = f;
            p.slice = s;
            p.dueMs = f.startMs + s * SLICE_MS + 500;
            p.seq = pendingSeq++;
            pending.add(p);
        }
    }

    private boolean icmpKeyBusy(Flow f, long now) {
        if (f.icmpType < 0) {
            return false;
        }
        Long until = busyIcmpKeys.get(icmpKey(f));
        return until != null && until >= now;
    }

    private static String icmpKey(Flow f) {
        return f.src.addr(f.v6) + ">" + f.dst.addr(f.v6) + "/" + f.proto + "/" + f.icmpType + "/" + f.icmpCode;
    }

    private String pickScenario() {
        int r = rnd.nextInt(totalWeight);
        for (int i = 0; i < cfg.weights.length; i++) {
            r -= cfg.weights[i];
            if (r < 0) {
                return GeneratorConfig.SCENARIOS[i];
            }
        }
        throw new IllegalStateException();
    }

    private Flow newFlow(long now) {
        Flow f = new Flow();
        f.id = nextFlowId++;
        f.scenario = pickScenario();
        f.v6 = rnd.nextDouble() < cfg.ipv6Share;
        f.legacy = rnd.nextDouble() < cfg.legacyShare;
        f.proto = 6;
        f.srcPort = 32768 + rnd.nextInt(28000);
        f.startMs = now - rnd.nextInt(2000);
        f.avgPacketSize = 66 + rnd.nextInt(1400);
        switch (f.scenario) {
            case "cross_node":
            case "icmp": {
                Pod a = appPod();
                Pod b = appPod();
                for (int tries = 0; b.node == a.node && tries < 20; tries++) {
                    b = appPod();
                }
                if (b.node == a.node) {
                    return sameNode(f, a, b);
                }
                f.src = ep(a);
                f.dst = ep(b);
                if ("icmp".equals(f.scenario)) {
                    f.proto = f.v6 ? 58 : 1;
                    f.icmpType = f.v6 ? 128 : 8;
                    f.srcPort = 0;
                    f.avgPacketSize = 98;
                } else {
                    f.dstPort = pick(8080, 8443, 5432, 6379, 9090);
                }
                f.reporters.add(reporter(
                        b.node,
                        0,
                        List.of("genev_sys_6081", b.veth),
                        List.of(0, 1),
                        b.node.gwMac,
                        b.mac,
                        Role.PRIMARY));
                f.reporters.add(reporter(
                        a.node,
                        1,
                        List.of(a.veth, "genev_sys_6081"),
                        List.of(0, 1),
                        a.mac,
                        a.node.gwMac,
                        Role.CROSS_REPORTER_COPY));
                if (rnd.nextBoolean()) {
                    java.util.Collections.reverse(f.reporters);
                }
                break;
            }
            case "same_node": {
                Pod a = appPod();
                Pod b = null;
                for (Pod p : pods) {
                    if (p.node == a.node && p != a && !p.namespace.startsWith("openshift")) {
                        b = p;
                        if (rnd.nextBoolean()) {
                            break;
                        }
                    }
                }
                if (b == null) {
                    b = a;
                }
                return sameNode(f, a, b);
            }
            case "pod_to_service": {
                Pod a = appPod();
                Service s = services.get(1 + rnd.nextInt(services.size() - 1));
                f.src = ep(a);
                f.dst = new Endpoint();
                f.dst.service = s;
                f.dstPort = pick(80, 443, 8080);
                f.reporters.add(reporter(a.node, 1, List.of(a.veth), List.of(0), a.mac, a.node.gwMac, Role.PRIMARY));
                if (!f.legacy && rnd.nextDouble() < cfg.xlatShare) {
                    f.xlatBackend = s.backends.get(rnd.nextInt(s.backends.size()));
                    f.xlatPort = f.dstPort == 80 ? 8080 : 8443;
                }
                break;
            }
            case "host_network": {
                Node a = nodes.get(rnd.nextInt(nodes.size()));
                Node b = nodes.get((a.index + 1 + rnd.nextInt(nodes.size() - 1)) % nodes.size());
                f.src = new Endpoint();
                f.src.node = a;
                f.dst = new Endpoint();
                f.dst.node = b;
                f.dstPort = pick(6443, 10250, 2379, 9100);
                f.reporters.add(reporter(b, 0, List.of("br-ex"), List.of(0), a.mac, b.mac, Role.PRIMARY));
                f.reporters.add(reporter(a, 1, List.of("br-ex"), List.of(1), a.mac, b.mac, Role.CROSS_REPORTER_COPY));
                break;
            }
            case "to_external": {
                Pod a = appPod();
                f.src = ep(a);
                f.dst = new Endpoint();
                f.dst.external = f.v6
                        ? EXTERNAL_V6[rnd.nextInt(EXTERNAL_V6.length)]
                        : EXTERNAL_V4[rnd.nextInt(EXTERNAL_V4.length)];
                f.dstPort = 443;
                f.reporters.add(reporter(a.node, 1, List.of(a.veth), List.of(0), a.mac, a.node.gwMac, Role.PRIMARY));
                f.events = !f.legacy && rnd.nextDouble() < cfg.networkEventsShare;
                break;
            }
            case "from_external": {
                Pod b = appPod();
                f.src = new Endpoint();
                f.src.external = f.v6
                        ? EXTERNAL_V6[rnd.nextInt(EXTERNAL_V6.length)]
                        : EXTERNAL_V4[rnd.nextInt(EXTERNAL_V4.length)];
                f.dst = ep(b);
                f.dstPort = 8443;
                f.reporters.add(
                        reporter(b.node, 0, List.of("br-ex", b.veth), List.of(0, 1), b.node.mac, b.mac, Role.PRIMARY));
                break;
            }
            case "dns": {
                Pod a = appPod();
                f.proto = 17;
                f.avgPacketSize = 80 + rnd.nextInt(120);
                f.dnsId = rnd.nextInt(65535) + 1;
                f.dnsName = rnd.nextDouble() < cfg.dnsNameShare ? DNS_NAMES[rnd.nextInt(DNS_NAMES.length)] : null;
                f.dnsRcode = f.dnsName != null && f.dnsName.startsWith("unknown") ? "NXDomain" : "NoError";
                f.src = ep(a);
                f.dst = new Endpoint();
                f.dst.service = dnsService;
                f.dstPort = 53;
                f.reporters.add(reporter(a.node, 1, List.of(a.veth), List.of(0), a.mac, a.node.gwMac, Role.PRIMARY));
                // the response is its own flow (reverse 7-tuple), emitted right after
                Flow resp = new Flow();
                resp.id = nextFlowId++;
                resp.scenario = "dns";
                resp.v6 = f.v6;
                resp.legacy = f.legacy;
                resp.proto = 17;
                resp.avgPacketSize = f.avgPacketSize + 40;
                resp.src = f.dst;
                resp.dst = f.src;
                resp.srcPort = 53;
                resp.dstPort = f.srcPort;
                resp.startMs = f.startMs + 1 + rnd.nextInt(5);
                resp.dnsId = f.dnsId;
                resp.dnsResponse = true;
                resp.dnsName = f.dnsName;
                resp.dnsRcode = f.dnsRcode;
                resp.reporters.add(reporter(a.node, 0, List.of(a.veth), List.of(1), a.node.gwMac, a.mac, Role.PRIMARY));
                Pending p = new Pending();
                p.flow = resp;
                p.slice = 0;
                p.dueMs = resp.startMs;
                p.seq = pendingSeq++;
                pending.add(p);
                break;
            }
            default:
                throw new IllegalStateException(f.scenario);
        }
        finishFlow(f);
        return f;
    }

    private Flow sameNode(Flow f, Pod a, Pod b) {
        f.scenario = "same_node";
        f.src = ep(a);
        f.dst = ep(b);
        f.dstPort = pick(8080, 9090, 6379);
        f.reporters.clear();
        f.reporters.add(reporter(a.node, 2, List.of(a.veth, b.veth), List.of(0, 1), a.mac, b.mac, Role.PRIMARY));
        finishFlow(f);
        return f;
    }

    private void finishFlow(Flow f) {
        if (f.proto == 6) {
            f.rtt = rnd.nextDouble() < cfg.rttShare;
            f.drop = rnd.nextDouble() < cfg.dropShare;
            if (rnd.nextDouble() < cfg.longLivedShare) {
                f.slices = 2 + rnd.nextInt(Math.max(1, cfg.maxSlices - 1));
                f.slices = Math.min(f.slices, cfg.maxSlices);
            }
        }
    }

    private Endpoint ep(Pod p) {
        Endpoint e = new Endpoint();
        e.pod = p;
        return e;
    }

    private Reporter reporter(
            Node n, Integer dir, List<String> ifs, List<Integer> ifDirs, String srcMac, String dstMac, Role role) {
        Reporter r = new Reporter();
        r.node = n;
        r.flowDirection = dir;
        r.interfaces = ifs;
        r.ifDirections = ifDirs;
        r.srcMac = srcMac;
        r.dstMac = dstMac;
        r.role = role;
        return r;
    }

    private int pick(int... values) {
        return values[rnd.nextInt(values.length)];
    }

    // ------------------------------------------------------------------ records

    private void emitSlice(Flow f, int slice) {
        boolean longLived = f.slices > 1;
        long start = f.startMs + slice * SLICE_MS;
        long duration = longLived ? SLICE_MS - 100 - rnd.nextInt(400) : f.dnsId >= 0 ? 0 : rnd.nextInt(3000);
        long truePackets = f.dnsId >= 0
                ? 1
                : Math.max(1, (long) Math.exp(rnd.nextDouble() * Math.log(longLived ? 50_000 : 5_000)));
        for (Reporter rep : f.reporters) {
            long sampled = sample(truePackets);
            long bytes = Math.max(sampled * 60, Math.round(sampled * f.avgPacketSize * (0.9 + 0.2 * rnd.nextDouble())));
            long s = start + rnd.nextInt(25);
            long e = s + Math.max(0, duration - rnd.nextInt(25));
            Map<String, Object> m = record(f, rep, slice, s, e, bytes, sampled);
            if (f.legacy) {
                legacy(m, false);
            }
            ready.add(new GeneratedMessage(
                    -1,
                    Json.bytes(m),
                    rep.role,
                    null,
                    f.scenario,
                    f.id,
                    slice,
                    -1,
                    bytes,
                    sampled,
                    f.legacy ? 0 : cfg.sampling,
                    f.legacy));
            if (f.legacy && rnd.nextDouble() < cfg.duplicateFlagShare) {
                Map<String, Object> dup = new TreeMap<>(m);
                dup.put("Duplicate", true);
                dup.put("Interface", "genev_sys_6081".equals(m.get("Interface")) ? "br-ex" : "genev_sys_6081");
                dup.put("IfDirection", 1 - ((Integer) m.get("IfDirection")));
                ready.add(new GeneratedMessage(
                        -1,
                        Json.bytes(dup),
                        Role.DUPLICATE_FLAG_COPY,
                        null,
                        f.scenario,
                        f.id,
                        slice,
                        -1,
                        bytes,
                        sampled,
                        0,
                        true));
            }
        }
    }

    /** Sampled packet count of one reporter: an independent draw around packets / sampling (≥ 1). */
    private long sample(long packets) {
        if (cfg.sampling <= 1) {
            return packets;
        }
        double mean = (double) packets / cfg.sampling;
        double draw = mean + rnd.nextDouble(-1.0, 1.0) * Math.sqrt(mean) * 1.5;
        return Math.max(1, Math.round(draw));
    }

    private Map<String, Object> record(
            Flow f, Reporter rep, int slice, long start, long end, long bytes, long packets) {
        Map<String, Object> m = new TreeMap<>(); // Go's encoder sorts map keys
        m.put("AgentIP", f.v6 ? rep.node.ip6 : rep.node.ip);
        m.put("Bytes", bytes);
        m.put("Packets", packets);
        m.put("SrcAddr", f.src.addr(f.v6));
        m.put("DstAddr", f.dst.addr(f.v6));
        m.put("SrcMac", rep.srcMac);
        m.put("DstMac", rep.dstMac);
        m.put("Dscp", 0);
        m.put("Etype", f.v6 ? 34525 : 2048);
        m.put("Proto", f.proto);
        if (f.proto == 6 || f.proto == 17 || f.proto == 132) {
            m.put("SrcPort", f.srcPort);
            m.put("DstPort", f.dstPort);
        }
        if (f.icmpType >= 0) {
            m.put("IcmpType", f.icmpType);
            m.put("IcmpCode", f.icmpCode);
        }
        if (f.proto == 6) {
            List<String> flags = new ArrayList<>();
            if (slice == 0) {
                flags.add("SYN");
            }
            flags.add("PSH");
            flags.add("ACK");
            if (slice == f.slices - 1 && f.slices > 1) {
                flags.add("FIN");
            }
            // FLP writes the names in bit order
            m.put("Flags", Arrays.asList(TcpFlags.decode(TcpFlags.mask(flags.toArray(new String[0])))));
        }
        if (rep.flowDirection != null) {
            m.put("FlowDirection", rep.flowDirection);
        }
        m.put("Interfaces", rep.interfaces);
        m.put("IfDirections", rep.ifDirections);
        List<String> udns = new ArrayList<>();
        for (int i = 0; i < rep.interfaces.size(); i++) {
            udns.add("");
        }
        m.put("Udns", udns);
        if (cfg.clusterName != null && !cfg.clusterName.isEmpty()) {
            m.put("K8S_ClusterName", cfg.clusterName);
        }
        m.put("K8S_FlowLayer", layer(f.src.namespace(), f.dst.namespace()));
        m.put("Sampling", cfg.sampling);
        m.put("TimeFlowStartMs", start);
        m.put("TimeFlowEndMs", end);
        m.put("TimeReceived", end / 1000 + 1 + rnd.nextInt(2));
        describe(m, "Src", f.src, f.v6);
        describe(m, "Dst", f.dst, f.v6);
        if (f.rtt) {
            m.put("TimeFlowRttNs", 50_000L + rnd.nextInt(2_000_000));
        }
        if (f.drop && rep.role == Role.PRIMARY) {
            long dp = 1 + rnd.nextInt(5);
            m.put("PktDropBytes", dp * 66);
            m.put("PktDropPackets", dp);
            m.put("PktDropLatestDropCause", DROP_CAUSES[rnd.nextInt(DROP_CAUSES.length)]);
            m.put("PktDropLatestState", DROP_STATES[rnd.nextInt(DROP_STATES.length)]);
            m.put("PktDropLatestFlags", 16);
        }
        if (f.events) {
            Map<String, String> ev = new TreeMap<>();
            ev.put("Action", "drop");
            ev.put("Direction", "Egress");
            ev.put("Feature", "acl");
            ev.put("Name", "default");
            ev.put("Namespace", f.src.namespace());
            ev.put("Type", "EgressFirewall");
            m.put("NetworkEvents", List.of(ev));
            m.put("PktDropBytes", bytes);
            m.put("PktDropPackets", packets);
            m.put("PktDropLatestDropCause", "NetworkEvent_EgressFirewall");
            m.put("PktDropLatestState", "TCP_INVALID_STATE");
            m.put("PktDropLatestFlags", 0);
        }
        if (f.xlatBackend != null) {
            Endpoint x = new Endpoint();
            x.pod = f.xlatBackend;
            m.put("XlatSrcAddr", f.src.addr(f.v6));
            m.put("XlatDstAddr", x.addr(f.v6));
            m.put("XlatSrcPort", f.srcPort);
            m.put("XlatDstPort", f.xlatPort);
            m.put("ZoneId", 27);
            describe(m, "XlatSrc", f.src, f.v6);
            describe(m, "XlatDst", x, f.v6);
        }
        if (f.dnsId >= 0) {
            m.put("DnsId", f.dnsId);
            m.put("DnsFlags", f.dnsResponse ? ("NXDomain".equals(f.dnsRcode) ? 33155 : 33152) : 256);
            m.put("DnsFlagsResponseCode", f.dnsResponse ? f.dnsRcode : "NoError");
            m.put("DnsLatencyMs", f.dnsResponse ? 1 + rnd.nextInt(8) : 0);
            if (f.dnsName != null) {
                String n = f.dnsName;
                m.put("DnsName", n.length() > 32 ? n.substring(0, 32) : n); // kernel buffer truncation
            }
        }
        return m;
    }

    private static String layer(String srcNs, String dstNs) {
        boolean app =
                (srcNs != null && !srcNs.startsWith("openshift")) || (dstNs != null && !dstNs.startsWith("openshift"));
        return app ? "app" : "infra";
    }

    /** Writes the {@code <prefix>K8S_*} fields and the subnet label FLP would add. */
    private void describe(Map<String, Object> m, String prefix, Endpoint e, boolean v6) {
        boolean xlat = prefix.startsWith("Xlat");
        String k = prefix + "K8S_";
        if (e.pod != null) {
            Pod p = e.pod;
            m.put(k + "Name", p.name);
            m.put(k + "Namespace", p.namespace);
            m.put(k + "OwnerName", p.owner);
            m.put(k + "OwnerType", p.ownerType);
            m.put(k + "Type", "Pod");
            m.put(k + "HostIP", v6 ? p.node.ip6 : p.node.ip);
            m.put(k + "HostName", p.node.name);
            m.put(k + "NetworkName", "primary");
            if (!xlat) {
                m.put(k + "Zone", p.node.zone);
                m.put(prefix + "SubnetLabel", "Pods");
            }
        } else if (e.service != null) {
            Service s = e.service;
            m.put(k + "Name", s.name);
            m.put(k + "Namespace", s.namespace);
            m.put(k + "OwnerName", s.name);
            m.put(k + "OwnerType", "Service");
            m.put(k + "Type", "Service");
            m.put(k + "NetworkName", "primary");
            if (!xlat) {
                m.put(prefix + "SubnetLabel", "Services");
            }
        } else if (e.node != null) {
            Node n = e.node;
            m.put(k + "Name", n.name);
            m.put(k + "OwnerName", n.name);
            m.put(k + "OwnerType", "Node");
            m.put(k + "Type", "Node");
            m.put(k + "HostIP", v6 ? n.ip6 : n.ip);
            m.put(k + "HostName", n.name);
            m.put(k + "NetworkName", "primary");
            if (!xlat) {
                m.put(k + "Zone", n.zone);
                m.put(prefix + "SubnetLabel", "Machines");
            }
        }
        // external: no K8S fields, no subnet label
    }

    /** Rewrites a current record into the NetObserv ≤ 1.5 shape. */
    @SuppressWarnings("unchecked")
    private static void legacy(Map<String, Object> m, boolean duplicate) {
        List<String> ifs = (List<String>) m.remove("Interfaces");
        List<Integer> dirs = (List<Integer>) m.remove("IfDirections");
        m.put("Interface", ifs.get(0));
        m.put("IfDirection", dirs.get(0));
        m.remove("Udns");
        m.remove("Sampling");
        m.remove("SrcSubnetLabel");
        m.remove("DstSubnetLabel");
        m.remove("SrcK8S_NetworkName");
        m.remove("DstK8S_NetworkName");
        m.remove("DnsName");
        Object flags = m.get("Flags");
        if (flags != null) {
            m.put("Flags", TcpFlags.mask(((List<String>) flags).toArray(new String[0])));
        }
        m.put("SrcMac", ((String) m.get("SrcMac")).toUpperCase(Locale.ROOT));
        m.put("DstMac", ((String) m.get("DstMac")).toUpperCase(Locale.ROOT));
        m.put("Duplicate", duplicate);
    }

    // ------------------------------------------------------------------ invalid messages

    private GeneratedMessage invalid() {
        int n = INVALID_REASONS.length + (cfg.oversizedBytes > 0 ? 1 : 0);
        int pick = rnd.nextInt(n);
        DeadLetterReason reason = pick < INVALID_REASONS.length ? INVALID_REASONS[pick] : DeadLetterReason.OVERSIZED;
        Flow f = newFlowWithoutSlices();
        Reporter rep = f.reporters.get(0);
        long start = (long) clockMs - 3000;
        Map<String, Object> m = record(f, rep, 0, start, start + 2000, 1500, 3);
        byte[] value;
        switch (reason) {
            case EMPTY:
                value = new byte[0];
                break;
            case MALFORMED_JSON: {
                byte[] b = Json.bytes(m);
                value = Arrays.copyOf(b, b.length / 2);
                break;
            }
            case NOT_AN_OBJECT:
                value = ("[" + new String(Json.bytes(m), StandardCharsets.UTF_8) + "]")
                        .getBytes(StandardCharsets.UTF_8);
                break;
            case NOT_UTF8: {
                byte[] b = Json.bytes(m);
                int at = new String(b, StandardCharsets.UTF_8).indexOf("\"AgentIP\":\"") + 11;
                b[at] = (byte) 0xFF;
                value = b;
                break;
            }
            case MISSING_FIELD:
                m.remove(rnd.nextBoolean() ? "SrcAddr" : "TimeFlowEndMs");
                value = Json.bytes(m);
                break;
            // On optional fields (Bytes as a string, Proto 300) these are field drift, loaded with a
            // parse warning; only the required fields still make dead letters.
            case WRONG_TYPE:
                m.put("TimeFlowStartMs", String.valueOf(m.get("TimeFlowStartMs")));
                value = Json.bytes(m);
                break;
            case OUT_OF_RANGE:
                m.put("TimeFlowEndMs", -1L - rnd.nextInt(100));
                value = Json.bytes(m);
                break;
            case INVALID_IP:
                m.put("DstAddr", rnd.nextBoolean() ? "10.0.0.999" : "fe80::1%eth0");
                value = Json.bytes(m);
                break;
            case INVALID_MAC:
                m.put("SrcMac", "0a:58:0a");
                value = Json.bytes(m);
                break;
            case END_BEFORE_START:
                m.put("TimeFlowEndMs", start - 1000);
                value = Json.bytes(m);
                break;
            case DUPLICATE_FIELD:
                value = ("{\"Bytes\":1," + new String(Json.bytes(m), StandardCharsets.UTF_8).substring(1))
                        .getBytes(StandardCharsets.UTF_8);
                break;
            case NESTING_TOO_DEEP:
                value = ("{\"Zz\":" + "[".repeat(64) + "]".repeat(64) + ","
                                + new String(Json.bytes(m), StandardCharsets.UTF_8).substring(1))
                        .getBytes(StandardCharsets.UTF_8);
                break;
            case OVERSIZED:
                m.put("Zpadding", "x".repeat(cfg.oversizedBytes));
                value = Json.bytes(m);
                break;
            default:
                throw new IllegalStateException(reason.name());
        }
        return new GeneratedMessage(index++, value, Role.INVALID, reason, "invalid", -1, 0, -1, 0, 0, 0, false);
    }

    private Flow newFlowWithoutSlices() {
        long savedId = nextFlowId;
        Flow f;
        do {
            f = newFlow((long) clockMs);
        } while ("dns".equals(f.scenario) && pending.removeIf(p -> p.flow.dnsId >= 0 && p.flow.id >= savedId));
        f.slices = 1;
        f.legacy = false;
        nextFlowId = savedId; // invalid messages do not consume flow ids
        return f;
    }
}
