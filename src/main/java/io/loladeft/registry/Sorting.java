package io.loladeft.registry;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Problems;
import java.util.List;
import java.util.Set;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;

/** Listings sort by a few known properties only (name by default): a client's sort never reaches SQL raw. */
final class Sorting {

    static final Set<String> DEVICE_PROPERTIES =
            Set.of("name", "createdAt", "updatedAt", "computeFlops", "memoryBytes");
    static final Set<String> MODEL_PROPERTIES = Set.of("name", "createdAt", "updatedAt");

    private Sorting() {}

    static Pageable checked(Pageable pageable, Set<String> allowed) {
        if (pageable.getSort().isUnsorted()) {
            return PageRequest.of(pageable.getPageNumber(), pageable.getPageSize(), Sort.by("name"));
        }
        for (Sort.Order order : pageable.getSort()) {
            if (!allowed.contains(order.getProperty())) {
                throw Problems.badRequest(
                        "cannot sort by '" + order.getProperty() + "'",
                        List.of(new FieldViolation(
                                "sort",
                                "sort by one of " + allowed.stream().sorted().toList())));
            }
        }
        return pageable;
    }
}
