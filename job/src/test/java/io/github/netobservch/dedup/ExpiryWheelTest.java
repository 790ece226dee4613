package io.github.netobservch.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExpiryWheelTest {

    @Test
    void anEntryIsDueExactlyWhenTheWatermarkReachesItsExpiry() throws Exception {
        ExpiryWheel wheel = new ExpiryWheel();
        wheel.add(7, 10_500);
        List<Long> due = new ArrayList<>();
        ExpiryWheel.Handler record = (key, watermark) -> {
            due.add(key);
            return ExpiryWheel.DONE;
        };
        wheel.advance(10_499, record); // same bucket, one millisecond early: carried
        assertThat(due).isEmpty();
        assertThat(wheel.size()).isEqualTo(1);
        wheel.advance(10_500, record);
        assertThat(due).containsExactly(7L);
        assertThat(wheel.size()).isZero();
        wheel.advance(Long.MAX_VALUE, record);
        assertThat(due).containsExactly(7L);
    }

    @Test
    void aKeySeenSinceItsEntryIsReEnteredAtItsNewExpiry() throws Exception {
        ExpiryWheel wheel = new ExpiryWheel();
        wheel.add(1, 5_000);
        long[] actual = {12_345};
        List<Long> handed = new ArrayList<>();
        ExpiryWheel.Handler h = (key, watermark) -> {
            handed.add(watermark);
            return actual[0] > watermark ? actual[0] : ExpiryWheel.DONE;
        };
        wheel.advance(6_000, h);
        assertThat(handed).containsExactly(6_000L);
        assertThat(wheel.size()).isEqualTo(1);
        wheel.advance(12_344, h);
        assertThat(handed).as("not handed again before its new expiry").containsExactly(6_000L);
        wheel.advance(12_345, h);
        assertThat(handed).containsExactly(6_000L, 12_345L);
        assertThat(wheel.size()).isZero();
    }

    /**
     * Random keys, expiries (some far ahead, some negative, some re-entered later) and watermarks,
     * against a plain map: every key is handed over exactly at the first watermark at or after its
     * current expiry, never before, and the wheel ends empty.
     */
    @Test
    void agreesWithAPlainMapOnRandomTraffic() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            ExpiryWheel wheel = new ExpiryWheel();
            Map<Long, Long> expiryOf = new HashMap<>(); // the oracle: each live key's current expiry
            long watermark = -50_000;
            long nextKey = 0;
            for (int step = 0; step < 2_000; step++) {
                int adds = random.nextInt(30);
                for (int i = 0; i < adds; i++) {
                    long expiry = random.nextInt(100) == 0
                            ? watermark + random.nextInt(10_000_000)
                            : watermark + 1 + random.nextInt(120_000);
                    long key = nextKey++;
                    expiryOf.put(key, expiry);
                    wheel.add(key, expiry);
                }
                // some live keys are seen again: their expiry moves later, the wheel is not told
                for (Map.Entry<Long, Long> e : expiryOf.entrySet()) {
                    if (random.nextInt(50) == 0) {
                        e.setValue(e.getValue() + random.nextInt(60_000));
                    }
                }
                watermark += random.nextInt(3) == 0 ? random.nextInt(5_000) : random.nextInt(300);
                long w = watermark;
                List<Long> handedOver = new ArrayList<>();
                wheel.advance(w, (key, wm) -> {
                    assertThat(wm).isEqualTo(w);
                    Long expiry = expiryOf.get(key);
                    assertThat(expiry).as("a key handed over after it expired").isNotNull();
                    if (expiry > wm) {
                        return expiry;
                    }
                    handedOver.add(key);
                    expiryOf.remove(key);
                    return ExpiryWheel.DONE;
                });
                assertThat(expiryOf.values())
                        .as("seed %d step %d: a due key was not handed over", seed, step)
                        .allMatch(e -> e > w);
                assertThat(wheel.size()).isEqualTo(expiryOf.size());
            }
            wheel.advance(Long.MAX_VALUE, (key, wm) -> {
                expiryOf.remove(key);
                return ExpiryWheel.DONE;
            });
            assertThat(expiryOf).isEmpty();
            assertThat(wheel.size()).isZero();
        }
    }
}
