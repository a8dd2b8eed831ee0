package io.loladeft.planning.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fading distributions: draws against their closed forms, the rician CDF against rayleigh and sampling. */
class ChannelModelTest {

    @Test
    void rayleighQuantileIsClosedFormAndMatchesItsCdf() {
        ChannelModel c = ChannelModel.rayleigh(1);
        for (double q : new double[] {1e-6, 1e-3, 0.0513, 0.5, 0.9}) {
            assertThat(c.quantile(q)).isCloseTo(-Math.log(1 - q), within(1e-12 * Math.max(1, -Math.log(1 - q))));
            assertThat(c.cdf(c.quantile(q))).isCloseTo(q, within(1e-12));
        }
    }

    @Test
    void ricianWithKZeroIsRayleigh() {
        for (double x : new double[] {1e-8, 1e-3, 0.1, 1, 3, 10}) {
            assertThat(Fading.ricianCdf(x, 0)).isCloseTo(-Math.expm1(-x), within(1e-14));
        }
        assertThat(Fading.ricianQuantile(0.05, 0)).isCloseTo(-Math.log(0.95), within(1e-12));
    }

    @Test
    void ricianCdfMatchesItsSamplesAndHasMeanOne() {
        for (double k : new double[] {1, 4, 10, 50}) {
            SplittableRandom rng = new SplittableRandom(7);
            double[] z = new double[200_000];
            double sum = 0;
            for (int i = 0; i < z.length; i++) {
                z[i] = Fading.rician(rng, k);
                sum += z[i];
            }
            Arrays.sort(z);
            assertThat(sum / z.length).as("mean at K=%s", k).isCloseTo(1.0, within(0.01));
            for (double q : new double[] {0.01, 0.1, 0.5, 0.9}) {
                double empirical = z[(int) (q * z.length)];
                double exact = Fading.ricianQuantile(q, k);
                // the sample quantile's standard error is sqrt(q(1-q)/n)/density: a few 1e-3 here
                assertThat(ChannelModel.rician(1, k).cdf(empirical))
                        .as("K=%s q=%s", k, q)
                        .isCloseTo(q, within(4 * Math.sqrt(q * (1 - q) / z.length)));
                assertThat(ChannelModel.rician(1, k).cdf(exact)).isCloseTo(q, within(1e-12));
            }
        }
    }

    @Test
    void strongerLineOfSightFadesLess() {
        double previous = 0;
        for (double k : new double[] {0, 1, 3, 10, 30, 100}) {
            double q = ChannelModel.rician(1, k).quantile(0.01);
            assertThat(q).as("1%% quantile at K=%s", k).isGreaterThan(previous).isLessThan(1);
            previous = q;
        }
    }

    @Test
    void rayleighDrawsAreExponential() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 200_000;
        int below = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double z = Fading.exponential(rng);
            assertThat(z).isPositive().isFinite();
            sum += z;
            below += z <= Math.log(2) ? 1 : 0;
        }
        assertThat(sum / n).isCloseTo(1.0, within(0.01));
        assertThat((double) below / n).isCloseTo(0.5, within(0.005));
    }

    @Test
    void settingsAreCheckedNamingTheirField() {
        assertThat(new ChannelModel(ChannelModel.Kind.RICIAN, 0, -1).violations("channel."))
                .extracting(v -> v.subject())
                .containsExactly("channel.coherenceRounds", "channel.kFactor");
        assertThat(ChannelModel.rician(2, 101).violations("")).hasSize(1);
        assertThat(ChannelModel.rayleigh(1).violations("")).isEmpty();
        assertThat(ChannelModel.staticChannel().quantile(0.3)).isEqualTo(1.0);
    }
}
