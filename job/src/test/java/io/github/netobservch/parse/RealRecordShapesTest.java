package io.github.netobservch.parse;

import static io.github.netobservch.format.ColumnRegistry.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.dedup.DedupRules;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.enrich.FlowKey;
import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.enrich.TrafficScope;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.IpAddresses;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Record shapes real NetObserv deployments produced that the job's generator never makes, written
 * by hand in the shapes of the published captures (non-IP frames of agents up to 1.6, partial
 * reports of one flow by a 1.6 agent, conversation-tracking records): parsed, enriched and keyed
 * the way the dedup needs them. Each point has a negative control that shows what the check
 * distinguishes.
 */
class RealRecordShapesTest {

    private static FlowRecord parse(String json) throws FlowParseException {
        return FlowEnricher.enrich(
                new FlowParser(ParserConfig.builder().rawPolicy(RawPolicy.WHOLE).build())
                        .parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static FlowRecord fixture(String name) throws FlowParseException {
        return parse(FlowFixtures.text(name));
    }

    // ---- 1. non-IP flows ----

    @ParameterizedTest
    @ValueSource(strings = {"arp-1.5", "arp-1.5-duplicate", "arp-1.6", "arp-2022"})
    void aNonIpFrameIsAFlowWithoutL3AndL4Columns(String name) throws Exception {
        FlowRecord r = fixture(name);
        assertThat(r.getLong(ETYPE)).isEqualTo(2054);
        for (Column c : new Column[] {
            SRC_ADDR, DST_ADDR, PROTO, SRC_PORT, DST_PORT, ICMP_TYPE, ICMP_CODE, FLAGS, DSCP, TCP_FLAGS_MASK
        }) {
            assertThat(r.has(c)).as(c.name()).isFalse();
        }
        assertThat(r.ipText(SRC_ADDR)).isNull();
        assertThat(r.getString(SCOPE)).isEqualTo(TrafficScope.NON_IP.code());
        assertThat(r.getString(PROTO_NAME)).isEmpty();
        assertThat(r.getLong(BYTES)).isEqualTo(42);
        assertThat(r.rawText()).isEqualTo(FlowFixtures.text(name)); // placeholders and all stay in raw
        assertThat(r.getString(SRC_MAC)).matches("[0-9a-f:]{17}");
        assertThat(r.has(PARSE_WARNINGS)).isFalse();
    }

    /** The 2022 agents' placeholders: dropped on ARP, but the same values on an IP flow are a real 0.0.0.0. */
    @Test
    void placeholderAddressesAreDroppedOnlyOnNonIpFrames() throws Exception {
        FlowRecord arp = fixture("arp-2022");
        FlowRecord ip = parse(FlowFixtures.text("arp-2022").replace("\"Etype\":2054", "\"Etype\":2048"));
        assertThat(ip.ipText(SRC_ADDR)).isEqualTo("0.0.0.0");
        // a real 0.0.0.0 is IPv4-mapped, never the all-zero default an empty column holds
        assertThat(ip.ipLow(SRC_ADDR)).isEqualTo(0xFFFF_0000_0000L);
        assertThat(arp.ipLow(SRC_ADDR)).isZero();
        assertThat(ip.getString(SCOPE)).isNotEqualTo(TrafficScope.NON_IP.code());
        assertThat(ip.getString(PROTO_NAME)).isEqualTo("0");
    }

    /** Negative control: the addresses stay required on IP flows (and on records without Etype). */
    @Test
    void anIpFlowWithoutAddressesIsStillADeadLetter() {
        String ipWithoutAddresses = FlowFixtures.text("arp-1.6").replace("\"Etype\":2054", "\"Etype\":2048");
        FlowParseException e = FlowParserRejectionTest.reject(
                new FlowParser(ParserConfig.defaults()), ipWithoutAddresses.getBytes(StandardCharsets.UTF_8));
        assertThat(e.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(e.field()).isEqualTo("SrcAddr");
        String noEtype = FlowFixtures.text("arp-1.6").replace("\"Etype\":2054,", "");
        assertThat(FlowParserRejectionTest.reject(
                                new FlowParser(ParserConfig.defaults()), noEtype.getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo(DeadLetterReason.MISSING_FIELD);
    }

    @Test
    void nonIpFlowsAreKeyedByEthertypeAndMacs() throws Exception {
        FlowRecord a = fixture("arp-1.5");
        FlowRecord b = fixture("arp-1.6");
        // two different ARP exchanges: different keys (with the 7-tuple they would share the all-zero one)
        assertThat(a.getLong(FLOW_KEY_HASH)).isNotEqualTo(b.getLong(FLOW_KEY_HASH));
        FlowKey ka = FlowKey.of(a);
        assertThat(ka.nonIp).isTrue();
        assertThat(ka.hash64()).isEqualTo(a.getLong(FLOW_KEY_HASH));
        assertThat(ka).isNotEqualTo(FlowKey.of(b));
        // the same frame reported by another node: same key, so dedup sees both reports
        FlowRecord otherNode = parse(FlowFixtures.text("arp-1.5").replace("10.0.131.7", "10.0.142.18"));
        assertThat(otherNode.getLong(FLOW_KEY_HASH)).isEqualTo(a.getLong(FLOW_KEY_HASH));
        // and never the key of an IP flow with all-zero 7-tuple fields
        assertThat(a.getLong(FLOW_KEY_HASH)).isNotEqualTo(FlowKey.hashOf(new FlowRecord()));
    }

    // ---- 2. conversation records ----

    @ParameterizedTest
    @ValueSource(strings = {"conversation-new", "conversation-heartbeat", "conversation-end"})
    void conversationRecordsGetADedupKeyOfTheirOwn(String name) throws Exception {
        FlowRecord conversation = fixture(name);
        FlowRecord flowLog = parse(
                FlowFixtures.text(name).replaceAll("\"_RecordType\": \"[a-zA-Z]+\"", "\"_RecordType\": \"flowLog\""));
        assertThat(DedupRules.isConversation(conversation)).isTrue();
        assertThat(DedupRules.isConversation(flowLog)).as("negative control").isFalse();
        // same 7-tuple, same flow_key_hash column ...
        assertThat(conversation.getLong(FLOW_KEY_HASH)).isEqualTo(flowLog.getLong(FLOW_KEY_HASH));
        // ... but not the same dedup state key
        FlowKeyHashSelector keys = new FlowKeyHashSelector();
        assertThat(keys.getKey(conversation)).isNotEqualTo(keys.getKey(flowLog));
        assertThat(keys.getKey(flowLog)).isEqualTo(flowLog.getLong(FLOW_KEY_HASH));
    }

    // ---- 3. re-send fingerprint ----

    /** The re-send key this project used before: (AgentIP, start, end, Bytes, Packets). */
    static long oldFingerprint(FlowRecord r) {
        return java.util.Objects.hash(
                r.ipHigh(AGENT_IP),
                r.ipLow(AGENT_IP),
                r.getLong(TIME_FLOW_START_MS),
                r.getLong(TIME_FLOW_END_MS),
                r.getLong(BYTES),
                r.getLong(PACKETS));
    }

    @Test
    void twoPartialReportsOfOneFlowAreNotAResend() throws Exception {
        FlowRecord a = fixture("partial-1.6-a");
        FlowRecord b = fixture("partial-1.6-b");
        assertThat(oldFingerprint(a))
                .as("negative control: the old key cannot tell them apart")
                .isEqualTo(oldFingerprint(b));
        assertThat(a.getLong(FLOW_KEY_HASH)).isEqualTo(b.getLong(FLOW_KEY_HASH));
        assertThat(DedupRules.fingerprint(a)).isNotEqualTo(DedupRules.fingerprint(b));
    }

    @Test
    void aResendIsTheSameRecordWhateverItsTimeReceivedKeyOrderOrSpacing() throws Exception {
        String text = FlowFixtures.text("partial-1.6-a");
        FlowRecord original = parse(text);
        FlowRecord reprocessed = parse(text.replace("\"TimeReceived\":1754039998", "\"TimeReceived\":1754040107"));
        FlowRecord pretty = parse(text.replace(",\"", ",\n  \"").replace("\":", "\": "));
        String reordered = "{" + text.substring(text.indexOf("\"DnsErrno\""), text.length() - 2) + ","
                + text.substring(1, text.indexOf("\"DnsErrno\"") - 1) + "}";
        FlowRecord shuffled = parse(reordered);
        assertThat(shuffled.rawText()).isNotEqualTo(text);
        assertThat(pretty.rawText()).isNotEqualTo(text);
        long fp = DedupRules.fingerprint(original);
        assertThat(DedupRules.fingerprint(reprocessed)).isEqualTo(fp);
        assertThat(DedupRules.fingerprint(pretty)).isEqualTo(fp);
        assertThat(DedupRules.fingerprint(shuffled)).isEqualTo(fp);
        // any other field makes it another record
        assertThat(DedupRules.fingerprint(parse(text.replace("\"Dscp\":0", "\"Dscp\":10"))))
                .isNotEqualTo(fp);
        assertThat(DedupRules.fingerprint(
                        parse(text.replace("\"Interfaces\":[\"ens5\"]", "\"Interfaces\":[\"ens5\",\"br-ex\"]"))))
                .isNotEqualTo(fp);
    }

    @Test
    void unknownAndDriftedFieldsCountInTheFingerprint() throws Exception {
        String text = FlowFixtures.text("partial-1.6-a");
        String withFuture = text.replace("{\"Bytes\"", "{\"TLSFuture\":{\"v\":[1,2]},\"Bytes\"");
        String withOtherFuture = text.replace("{\"Bytes\"", "{\"TLSFuture\":{\"v\":[1,3]},\"Bytes\"");
        long plain = DedupRules.fingerprint(parse(text));
        long future = DedupRules.fingerprint(parse(withFuture));
        assertThat(future).isNotEqualTo(plain).isNotEqualTo(DedupRules.fingerprint(parse(withOtherFuture)));
        // an unknown string value that differs only after its first bytes (Jackson reads strings lazily)
        assertThat(DedupRules.fingerprint(parse(text.replace("{\"Bytes\"", "{\"Note\":\"abcdefgh-1\",\"Bytes\""))))
                .isNotEqualTo(DedupRules.fingerprint(
                        parse(text.replace("{\"Bytes\"", "{\"Note\":\"abcdefgh-2\",\"Bytes\""))));
        // a drifted value: the column is empty in both, the values differ
        FlowRecord drift1 = parse(text.replace("\"DnsErrno\":0", "\"DnsErrno\":\"ENOENT\""));
        FlowRecord drift2 = parse(text.replace("\"DnsErrno\":0", "\"DnsErrno\":\"EAGAIN\""));
        assertThat(drift1.has(DNS_ERRNO)).isFalse();
        assertThat(DedupRules.fingerprint(drift1)).isNotEqualTo(DedupRules.fingerprint(drift2));
    }

    // ---- 4. field drift: see FlowParserDriftTest ----

    @Test
    void mixedCaseMacsAndAddressTextNormaliseBeforeHashing() throws Exception {
        String text = FlowFixtures.text("partial-1.6-a");
        long fp = DedupRules.fingerprint(parse(text));
        assertThat(DedupRules.fingerprint(parse(text.replace("0A:58:0A:81:02:22", "0a:58:0a:81:02:22"))))
                .isEqualTo(fp);
        assertThat(IpAddresses.format(0, 0xFFFF_0A80_0411L)).isEqualTo("10.128.4.17");
    }
}
