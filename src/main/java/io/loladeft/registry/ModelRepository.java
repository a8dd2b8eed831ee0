package io.loladeft.registry;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface ModelRepository extends JpaRepository<RegisteredModel, Long> {

    Optional<RegisteredModel> findByName(String name);
}
