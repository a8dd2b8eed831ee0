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
import java.util.HashMap;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "device")
class RegisteredDevice {

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

    private Instant createdAt;
    private Instant updatedAt;

    @Version
    private long version;

    protected RegisteredDevice() {}

    RegisteredDevice(String name) {
        this.name = name;
        this.createdAt = Instant.now();
    }

    void apply(DeviceSpec spec) {
        computeFlops = spec.computeFlops();
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

    String name() {
        return name;
    }

    long version() {
        return version;
    }

    DeviceView view() {
        return new DeviceView(name, computeFlops, memoryBytes, txPowerDbm, channelGainDb, Map.copyOf(labels),
                profile, reportedAt == null ? null : new ChannelReport(reportedGainDb, reportedAt), createdAt, updatedAt,
                version);
    }
}
