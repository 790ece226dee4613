package io.github.netobservch.generate;

import java.io.Serializable;

/**
 * Settings of {@link FlowGenerator}. Shares are probabilities in [0, 1]; scenario weights are
 * relative. Everything is deterministic given {@link #seed()}.
 */
public final class GeneratorConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    final long seed;
    final double recordsPerSecond;
    final long startEpochMs;
    final String clusterName;
    final int nodes;
    final int sampling;
    final double invalidShare;
    final double resendShare;
    final double legacyShare;
    final double duplicateFlagShare;
    final double ipv6Share;
    final double longLivedShare;
    final int maxSlices;
    final double dnsNameShare;
    final double rttShare;
    final double dropShare;
    final double networkEventsShare;
    final double xlatShare;
    final int[] weights;
    final int oversizedBytes;

    private GeneratorConfig(Builder b) {
        this.seed = b.seed;
        this.recordsPerSecond = b.recordsPerSecond;
        this.startEpochMs = b.startEpochMs;
        this.clusterName = b.clusterName;
        this.nodes = b.nodes;
        this.sampling = b.sampling;
        this.invalidShare = b.invalidShare;
        this.resendShare = b.resendShare;
        this.legacyShare = b.legacyShare;
        this.duplicateFlagShare = b.duplicateFlagShare;
        this.ipv6Share = b.ipv6Share;
        this.longLivedShare = b.longLivedShare;
        this.maxSlices = b.maxSlices;
        this.dnsNameShare = b.dnsNameShare;
        this.rttShare = b.rttShare;
        this.dropShare = b.dropShare;
        this.networkEventsShare = b.networkEventsShare;
        this.xlatShare = b.xlatShare;
        this.weights = b.weights.clone();
        this.oversizedBytes = b.oversizedBytes;
    }

    public static Builder builder(long seed) {
        return new Builder(seed);
    }

    /**
     * A live export, as the demo and the soak run produce it: event time starts at {@code startEpochMs}
     * and follows the wall clock at {@code recordsPerSecond}; 0.1 % invalid and 5 % legacy records.
     */
    public static GeneratorConfig live(long seed, long startEpochMs, double recordsPerSecond) {
        return builder(seed)
                .startEpochMs(startEpochMs)
                .recordsPerSecond(recordsPerSecond)
                .invalidShare(0.001)
                .legacyShare(0.05)
                .build();
    }

    public long seed() {
        return seed;
    }

    /** Scenario names in weight order. */
    public static final String[] SCENARIOS = {
        "cross_node", "same_node", "pod_to_service", "host_network", "to_external", "from_external", "dns", "icmp"
    };

    /** Builder; defaults give a realistic current-era mix with 1 % re-sends and no invalid messages. */
    public static final class Builder {
        private final long seed;
        private double recordsPerSecond = 1000;
        private long startEpochMs = 1754040000000L; // 2025-08-01T09:20:00Z, as in the reference examples
        private String clusterName = "prod-eu";
        private int nodes = 4;
        private int sampling = 50;
        private double invalidShare = 0;
        private double resendShare = 0.01;
        private double legacyShare = 0;
        private double duplicateFlagShare = 0.3;
        private double ipv6Share = 0.1;
        private double longLivedShare = 0.3;
        private int maxSlices = 6;
        private double dnsNameShare = 0.8;
        private double rttShare = 0.6;
        private double dropShare = 0.05;
        private double networkEventsShare = 0.05;
        private double xlatShare = 0.5;
        private final int[] weights = {30, 10, 15, 10, 10, 5, 15, 5};
        private int oversizedBytes = 0;

        private Builder(long seed) {
            this.seed = seed;
        }

        /** Simulated rate: the generator's clock advances {@code 1000 / rate} ms per message. */
        public Builder recordsPerSecond(double v) {
            this.recordsPerSecond = v;
            return this;
        }

        public Builder startEpochMs(long v) {
            this.startEpochMs = v;
            return this;
        }

        /** {@code K8S_ClusterName}; {@code null} or empty omits the field (single-cluster setups). */
        public Builder clusterName(String v) {
            this.clusterName = v;
            return this;
        }

        public Builder nodes(int v) {
            this.nodes = v;
            return this;
        }

        /** Agent sampling ratio written in {@code Sampling} (1 = every packet). */
        public Builder sampling(int v) {
            this.sampling = v;
            return this;
        }

        /** Share of messages that are invalid, each labelled with its expected dead-letter reason. */
        public Builder invalidShare(double v) {
            this.invalidShare = v;
            return this;
        }

        /** Share of messages that are exact re-sends of a recent message. */
        public Builder resendShare(double v) {
            this.resendShare = v;
            return this;
        }

        /** Share of flows written in the NetObserv ≤ 1.5 shape. */
        public Builder legacyShare(double v) {
            this.legacyShare = v;
            return this;
        }

        /** Share of legacy records followed by a {@code Duplicate: true} copy from another interface. */
        public Builder duplicateFlagShare(double v) {
            this.duplicateFlagShare = v;
            return this;
        }

        public Builder ipv6Share(double v) {
            this.ipv6Share = v;
            return this;
        }

        /** Share of TCP flows that last several 15 s slices (up to {@code maxSlices}). */
        public Builder longLived(double share, int maxSlices) {
            this.longLivedShare = share;
            this.maxSlices = maxSlices;
            return this;
        }

        public Builder rttShare(double v) {
            this.rttShare = v;
            return this;
        }

        public Builder dropShare(double v) {
            this.dropShare = v;
            return this;
        }

        public Builder networkEventsShare(double v) {
            this.networkEventsShare = v;
            return this;
        }

        public Builder xlatShare(double v) {
            this.xlatShare = v;
            return this;
        }

        /** Relative weight of a scenario (see {@link GeneratorConfig#SCENARIOS}). */
        public Builder weight(String scenario, int w) {
            for (int i = 0; i < SCENARIOS.length; i++) {
                if (SCENARIOS[i].equals(scenario)) {
                    weights[i] = w;
                    return this;
                }
            }
            throw new IllegalArgumentException("unknown scenario " + scenario);
        }

        /** When > 0, invalid messages may also be OVERSIZED, padded to this many bytes. */
        public Builder oversizedBytes(int v) {
            this.oversizedBytes = v;
            return this;
        }

        public GeneratorConfig build() {
            if (recordsPerSecond <= 0 || nodes < 2 || sampling < 1 || maxSlices < 1) {
                throw new IllegalArgumentException(
                        "recordsPerSecond > 0, nodes >= 2, sampling >= 1, maxSlices >= 1 required");
            }
            for (double s : new double[] {
                invalidShare,
                resendShare,
                legacyShare,
                duplicateFlagShare,
                ipv6Share,
                longLivedShare,
                dnsNameShare,
                rttShare,
                dropShare,
                networkEventsShare,
                xlatShare
            }) {
                if (s < 0 || s > 1) {
                    throw new IllegalArgumentException("shares must be within [0, 1]");
                }
            }
            int total = 0;
            for (int w : weights) {
                if (w < 0) {
                    throw new IllegalArgumentException("negative weight");
                }
                total += w;
            }
            if (total == 0) {
                throw new IllegalArgumentException("all scenario weights are 0");
            }
            return new GeneratorConfig(this);
        }
    }
}
