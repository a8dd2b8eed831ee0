package io.loladeft.registry;

import io.loladeft.common.MeasuredProfile;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "device")
class RegisteredDevice implements ConditionalUpsert.Row<DeviceRequest, DeviceView> {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 63)
    private String name;

    private double computeFlops;
    private double memoryBytes;
    private double txPowerDbm;
    private double channelGainDb;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    private Map<String, String> labels = new HashMap<>();

    @JdbcTypeCode(SqlTypes.JSON)
    private MeasuredProfile profile;

    private Double reportedGainDb;
    private Instant reportedAt;

    private boolean unschedulable;
    private Double effectiveFlops;
    private long calibratedRounds;
    private Instant calibratedAt;

    private Instant createdAt;
    private Instant updatedAt;

    @Version
    private long version;

    protected RegisteredDevice() {}

    RegisteredDevice(String name) {
        this.name = name;
        this.createdAt = Instant.now();
    }

    @Override
    public void apply(DeviceRequest spec) {
        if (effectiveFlops != null && computeFlops != spec.computeFlops()) {
            // Measured against the old declared speed (another device, or another clock): start over.
            effectiveFlops = null;
            calibratedRounds = 0;
            calibratedAt = null;
        }
        computeFlops = spec.computeFlops();
        unschedulable = Boolean.TRUE.equals(spec.unschedulable());
        memoryBytes = spec.memoryBytes();
        txPowerDbm = spec.txPowerDbm();
        channelGainDb = spec.channelGainDb();
        labels = new HashMap<>(spec.labels());
        profile = spec.profile();
        updatedAt = Instant.now();
    }

    /**
     * Keeps the report unless an older measurement arrives late: reports may be delivered out of order, and the
     * freshest one is what plans should use. Answers whether it was kept.
     */
    boolean report(ChannelReport report) {
        if (reportedAt != null && report.measuredAt().isBefore(reportedAt)) {
            return false;
        }
        reportedGainDb = report.gainDb();
        reportedAt = report.measuredAt();
        updatedAt = Instant.now();
        return true;
    }

    /**
     * Folds a measured round in: the effective speed as an exponentially weighted mean with weight
     * {@link #CALIBRATION_WEIGHT} for the new round (the first round sets it), and the device's own profile (when it
     * has one, as seconds per depth) at the round's depth likewise, then raised above and lowered below that entry
     * where needed to stay non-decreasing in depth, as the planner requires.
     */
    void recalibrate(DeviceMeasured m) {
        effectiveFlops = effectiveFlops == null
                ? m.effectiveFlops()
                : (1 - CALIBRATION_WEIGHT) * effectiveFlops + CALIBRATION_WEIGHT * m.effectiveFlops();
        calibratedRounds++;
        calibratedAt = Instant.now();
        if (profile != null
                && profile.hostFlops() == null
                && m.depth() != null
                && m.depth() >= 1
                && m.depth() <= profile.computeSeconds().size()
                && m.secondsPerIteration() > 0) {
            profile = new MeasuredProfile(
                    monotone(profile.computeSeconds(), m.depth() - 1, m.secondsPerIteration()),
                    profile.memoryBytes(),
                    null);
        }
        updatedAt = calibratedAt;
    }

    /** A new round's weight in the calibration's running mean: about the last eight rounds count. */
    static final double CALIBRATION_WEIGHT = 0.25;

    /** {@code seconds} with entry {@code at} moved towards {@code sample}, the rest adjusted to stay non-decreasing. */
    static List<Double> monotone(List<Double> seconds, int at, double sample) {
        double[] s = seconds.stream().mapToDouble(Double::doubleValue).toArray();
        s[at] = (1 - CALIBRATION_WEIGHT) * s[at] + CALIBRATION_WEIGHT * sample;
        for (int j = at + 1; j < s.length; j++) {
            s[j] = Math.max(s[j], s[at]);
        }
        for (int j = at - 1; j >= 0; j--) {
            s[j] = Math.min(s[j], s[at]);
        }
        return Arrays.stream(s).boxed().toList();
    }

    String name() {
        return name;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public DeviceView view() {
        return new DeviceView(
                name,
                computeFlops,
                memoryBytes,
                txPowerDbm,
                channelGainDb,
                Map.copyOf(labels),
                profile,
                reportedAt == null ? null : new ChannelReport(reportedGainDb, reportedAt),
                unschedulable,
                effectiveFlops == null ? null : new Calibration(effectiveFlops, calibratedRounds, calibratedAt),
                createdAt,
                updatedAt,
                version);
    }
}
