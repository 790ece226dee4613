package io.github.netobservch.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DedupConfigTest {

    @Test
    void defaults() {
        DedupConfig c = DedupConfig.defaults();
        assertThat(c.mode()).isEqualTo(DedupMode.REPORTER_ELECTION);
        assertThat(c.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxFingerprints()).isEqualTo(4);
        assertThat(c.stateTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void modesByConfigurationValue() {
        assertThat(DedupMode.fromCode("reporter-election")).isEqualTo(DedupMode.REPORTER_ELECTION);
        assertThat(DedupMode.fromCode(" Console_Rule ")).isEqualTo(DedupMode.CONSOLE_RULE);
        assertThat(DedupConfig.builder().mode("off").build().mode()).isEqualTo(DedupMode.OFF);
        assertThatThrownBy(() -> DedupMode.fromCode("exact")).hasMessageContaining("unknown dedup mode 'exact'");
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> DedupConfig.builder().window(Duration.ZERO).build())
                .hasMessageContaining("window");
        assertThatThrownBy(() ->
                        DedupConfig.builder().maxWait(Duration.ofSeconds(61)).build())
                .hasMessageContaining("maxWait");
        assertThatThrownBy(() ->
                        DedupConfig.builder().maxWait(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("maxWait");
        assertThatThrownBy(() -> DedupConfig.builder().maxFingerprints(65).build())
                .hasMessageContaining("maxFingerprints");
        assertThatThrownBy(() ->
                        DedupConfig.builder().stateTtl(Duration.ofSeconds(10)).build())
                .hasMessageContaining("stateTtl");
        assertThat(DedupConfig.builder()
                        .stateTtl(Duration.ZERO)
                        .maxWait(Duration.ZERO)
                        .maxFingerprints(0)
                        .build()
                        .stateTtl())
                .isZero();
    }
}
