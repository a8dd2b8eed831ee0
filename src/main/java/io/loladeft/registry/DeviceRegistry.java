package io.loladeft.registry;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Limits;
import io.loladeft.common.PageView;
import io.loladeft.common.Problems;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The device registry's use cases; the one way other modules read devices. */
@Service
public class DeviceRegistry {

    private final DeviceRepository devices;
    private final Limits limits;
    private final ConditionalUpsert<RegisteredDevice, DeviceRequest, DeviceView> upserts;

    DeviceRegistry(DeviceRepository devices, Limits limits) {
        this.devices = devices;
        this.limits = limits;
        this.upserts = new ConditionalUpsert<>(
                "device", "/api/v1/devices", devices::findByName, RegisteredDevice::new, devices::saveAndFlush);
    }

    @Transactional
    public DeviceView create(DeviceRequest spec) {
        Names.require(spec.name(), "name");
        return upserts.create(spec.name(), spec);
    }

    /** All or nothing: one bad or duplicate device rejects the whole fleet. */
    @Transactional
    public List<DeviceView> createAll(List<DeviceRequest> specs) {
        Limits.require(specs.size() <= limits.maxDevices(), "devices", "max-devices", limits.maxDevices());
        List<FieldViolation> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            String name = specs.get(i).name();
            if (name == null) {
                errors.add(new FieldViolation("devices[" + i + "].name", "must not be null"));
            } else if (!seen.add(name)) {
                errors.add(new FieldViolation("devices[" + i + "].name", "'" + name + "' appears twice in the batch"));
            }
        }
        if (!errors.isEmpty()) {
            throw Problems.badRequest("the batch has unnamed or repeated devices", errors);
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            index.put(specs.get(i).name(), i);
        }
        for (RegisteredDevice existing : devices.findByNameIn(index.keySet())) {
            errors.add(new FieldViolation(
                    "devices[" + index.get(existing.name()) + "].name",
                    "device '" + existing.name() + "' already exists"));
        }
        if (!errors.isEmpty()) {
            throw Problems.conflict("the batch names devices that already exist; nothing was created", errors);
        }
        return specs.stream().map(spec -> upserts.insert(spec.name(), spec)).toList();
    }

    @Transactional(readOnly = true)
    public DeviceView get(String name) {
        return upserts.existing(name).view();
    }

    @Transactional(readOnly = true)
    public PageView<DeviceView> list(LabelSelector selector, Pageable pageable) {
        return PageView.of(
                devices.findAll(selector.toSpecification(), Sorting.checked(pageable, Sorting.DEVICE_PROPERTIES)),
                RegisteredDevice::view);
    }

    /** Every device the selector matches, in name order (for planning a whole labelled fleet). */
    @Transactional(readOnly = true)
    public List<DeviceView> select(LabelSelector selector) {
        return devices.findAll(selector.toSpecification(), Sort.by("name")).stream()
                .map(RegisteredDevice::view)
                .toList();
    }

    /** The registered devices among these names, in name order; absent names are simply not there. */
    @Transactional(readOnly = true)
    public List<DeviceView> findByNames(List<String> names) {
        return devices.findByNameIn(names).stream()
                .map(RegisteredDevice::view)
                .sorted(Comparator.comparing(DeviceView::name))
                .toList();
    }

    /** Idempotent create-or-replace, what an operator's reconcile loop calls. */
    @Transactional
    public Upserted<DeviceView> upsert(String name, DeviceRequest spec, String ifMatch) {
        upserts.requireName(name, spec.name());
        return upserts.upsert(name, spec, ifMatch);
    }

    /**
     * Records a measured channel gain. A report measured before the one kept is acknowledged but not kept (the
     * answer shows the one kept). A measurement from the future (beyond {@link #CLOCK_SKEW} of clock skew) is
     * refused: it would stay "fresh" for longer than the channel stays put.
     */
    @Transactional
    public DeviceView reportChannel(String name, ChannelReport report) {
        if (report.measuredAt().isAfter(Instant.now().plus(CLOCK_SKEW))) {
            throw Problems.badRequest(
                    "the measurement is dated in the future",
                    List.of(new FieldViolation(
                            "measuredAt",
                            "must not be later than now (plus " + CLOCK_SKEW.toSeconds() + " s of clock skew)")));
        }
        RegisteredDevice device = upserts.existing(name);
        device.report(report);
        return devices.saveAndFlush(device).view();
    }

    /** How far ahead of this server's clock a device's clock may be. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

    @Transactional
    public void delete(String name, String ifMatch) {
        devices.delete(upserts.current(name, ifMatch));
    }
}
