package io.loladeft.registry;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

interface DeviceRepository extends JpaRepository<RegisteredDevice, Long>, JpaSpecificationExecutor<RegisteredDevice> {

    Optional<RegisteredDevice> findByName(String name);

    List<RegisteredDevice> findByNameIn(Collection<String> names);
}
