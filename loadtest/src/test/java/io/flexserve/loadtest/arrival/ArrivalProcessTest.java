package io.flexserve.loadtest.arrival;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArrivalProcessTest {
    private static final long SEED = 42;

    @Test
    void poisson_fixedSeed_meanRateWithinTwoPercent() {
        long[] offsets = new ArrivalProcess.Poisson(200).schedule(ScheduleBounds.requests(20_000), SEED);

        assertEquals(20_000, offsets.length);
        double seconds = offsets[offsets.length - 1] / 1e9;
        assertEquals(200, offsets.length / seconds, 200 * 0.02);
    }

    @Test
    void poisson_gaps_haveCoefficientOfVariationNearOne() {
        long[] offsets = new ArrivalProcess.Poisson(100).schedule(ScheduleBounds.requests(20_000), SEED);

        double[] gaps = gaps(offsets);
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
        assertEquals(1.0, sd / mean, 0.05);
    }

    @Test
    void poisson_equalSeeds_giveEqualSchedules() {
        ArrivalProcess poisson = new ArrivalProcess.Poisson(50);

        assertArrayEquals(poisson.schedule(ScheduleBounds.requests(1000), 7), poisson.schedule(ScheduleBounds.requests(1000), 7));
    }

    @Test
    void poisson_differentSeeds_giveDifferentSchedules() {
        ArrivalProcess poisson = new ArrivalProcess.Poisson(50);

        assertFalse(Arrays.equals(poisson.schedule(ScheduleBounds.requests(100), 1), poisson.schedule(ScheduleBounds.requests(100), 2)));
    }

    @Test
    void schedule_anyProcess_isAscendingAndNonNegative() {
        for (ArrivalProcess process : processes()) {
            long[] offsets = process.schedule(ScheduleBounds.requests(5000), SEED);
            for (int i = 0; i < offsets.length; i++) {
                assertTrue(offsets[i] >= 0 && (i == 0 || offsets[i] >= offsets[i - 1]), process.describe() + " at " + i);
            }
        }
    }

    @Test
    void schedule_durationBound_stopsBeforeDuration() {
        for (ArrivalProcess process : processes()) {
            long[] offsets = process.schedule(ScheduleBounds.duration(2.0), SEED);

            assertTrue(offsets[offsets.length - 1] < 2_000_000_000L, process.describe());
            // about rate × duration = 200 arrivals
            assertEquals(200, offsets.length, 60, process.describe());
        }
    }

    @Test
    void schedule_requestBoundBeforeDuration_stopsAtCount() {
        for (ArrivalProcess process : processes()) {
            assertEquals(37, process.schedule(new ScheduleBounds(37, 1000), SEED).length, process.describe());
        }
    }

    @Test
    void schedule_durationOnly_isCappedAtHardCap() {
        long[] offsets = new ArrivalProcess.Constant(1_000_000).schedule(ScheduleBounds.duration(1000), SEED);

        assertEquals(ScheduleBounds.HARD_CAP, offsets.length);
    }

    @Test
    void constant_offsets_areEvenlySpacedFromZero() {
        long[] offsets = new ArrivalProcess.Constant(4).schedule(ScheduleBounds.requests(5), SEED);

        assertArrayEquals(new long[] {0, 250_000_000, 500_000_000, 750_000_000, 1_000_000_000}, offsets);
    }

    @Test
    void constant_ignoresSeed() {
        ArrivalProcess constant = new ArrivalProcess.Constant(10);

        assertArrayEquals(constant.schedule(ScheduleBounds.requests(50), 1), constant.schedule(ScheduleBounds.requests(50), 2));
    }

    @Test
    void bursty_noArrivalsInOffPeriods() {
        long[] offsets = new ArrivalProcess.Bursty(100, 200, 300).schedule(ScheduleBounds.requests(10_000), SEED);

        long periodNanos = 500_000_000L;
        for (long offset : offsets) {
            assertTrue(offset % periodNanos < 200_000_000L, "arrival at " + offset + " ns is in an off-period");
        }
    }

    @Test
    void bursty_meanRateOverWholeCycles_isRate() {
        ArrivalProcess.Bursty bursty = new ArrivalProcess.Bursty(100, 200, 300);

        // 100 whole cycles of 0.5 s: expect 100 req/s × 50 s = 5000 arrivals.
        long[] offsets = bursty.schedule(ScheduleBounds.duration(50.0), SEED);

        assertEquals(5000, offsets.length, 5000 * 0.03);
        assertEquals(250.0, bursty.onRatePerSecond(), 1e-9);
    }

    @Test
    void bursty_equalSeeds_giveEqualSchedules() {
        ArrivalProcess bursty = new ArrivalProcess.Bursty(30, 100, 900);

        assertArrayEquals(bursty.schedule(ScheduleBounds.requests(500), 9), bursty.schedule(ScheduleBounds.requests(500), 9));
    }

    @Test
    void bursty_noOffPeriod_isPoissonAtRate() {
        long[] offsets = new ArrivalProcess.Bursty(200, 100, 0).schedule(ScheduleBounds.requests(20_000), SEED);

        assertEquals(200, offsets.length / (offsets[offsets.length - 1] / 1e9), 200 * 0.02);
    }

    @Test
    void constructors_invalidRateOrPeriods_fail() {
        assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Poisson(0));
        assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Poisson(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Bursty(10, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Bursty(10, 10, -1));
    }

    @Test
    void scheduleBounds_beyondHardCapOrNoDuration_fail() {
        assertThrows(IllegalArgumentException.class, () -> ScheduleBounds.requests(ScheduleBounds.HARD_CAP + 1));
        assertThrows(IllegalArgumentException.class, () -> ScheduleBounds.requests(0));
        assertThrows(IllegalArgumentException.class, () -> ScheduleBounds.duration(0));
    }

    private static ArrivalProcess[] processes() {
        return new ArrivalProcess[] {
            new ArrivalProcess.Poisson(100), new ArrivalProcess.Constant(100), new ArrivalProcess.Bursty(100, 250, 250)
        };
    }

    private static double[] gaps(long[] offsets) {
        double[] gaps = new double[offsets.length - 1];
        for (int i = 1; i < offsets.length; i++) {
            gaps[i - 1] = offsets[i] - offsets[i - 1];
        }
        return gaps;
    }
}
