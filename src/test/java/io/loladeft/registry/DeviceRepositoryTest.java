package io.loladeft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.data.domain.Sort;

/** Slice test: the entity mapping (jsonb labels and profile) and label selectors in real PostgreSQL. */
@DataJpaTest
class DeviceRepositoryTest {

    @Autowired
    DeviceRepository devices;

    @BeforeEach
    void fleet() {
        devices.deleteAll();
        save("a", Map.of("zone", "x", "tier", "edge"));
        save("b", Map.of("zone", "x"));
        save("c", Map.of("zone", "y", "tier", "edge"));
        save("d", Map.of());
    }

    private void save(String name, Map<String, String> labels) {
        RegisteredDevice device = new RegisteredDevice(name);
        device.apply(new DeviceRequest(name, 1e12, 8e9, 20.0, -90.0, labels, null, null));
        devices.saveAndFlush(device);
    }

    private List<String> select(String selector) {
        return devices.findAll(LabelSelector.parse(selector).toSpecification(), Sort.by("name")).stream()
                .map(RegisteredDevice::name)
                .toList();
    }

    @Test
    void selectorsFilterInTheDatabase() {
        assertThat(select("zone=x")).containsExactly("a", "b");
        assertThat(select("zone=x,tier=edge")).containsExactly("a");
        assertThat(select("tier!=edge")).containsExactly("b", "d");
        assertThat(select("tier")).containsExactly("a", "c");
        assertThat(select("!zone")).containsExactly("d");
        assertThat(select("")).containsExactly("a", "b", "c", "d");
    }

    @Test
    void labelsRoundTripThroughJsonb() {
        RegisteredDevice a = devices.findByName("a").orElseThrow();
        assertThat(a.view().labels()).isEqualTo(Map.of("zone", "x", "tier", "edge"));
        assertThat(a.view().version()).isZero();
    }
}
