package io.loladeft.registry;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Problems;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Expression;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.data.jpa.domain.Specification;

/**
 * Kubernetes' equality-based label selector: comma-separated requirements {@code key=value},
 * {@code key==value}, {@code key!=value} (also matches devices without the key), {@code key}
 * (has the key) and {@code !key} (lacks it). All requirements must hold.
 */
public record LabelSelector(List<Requirement> requirements) {

    public enum Operator {
        EQUALS,
        NOT_EQUALS,
        EXISTS,
        NOT_EXISTS
    }

    public record Requirement(String key, Operator operator, String value) {}

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9_./]*");
    private static final Pattern REQUIREMENT =
            Pattern.compile("\\s*(!?)\\s*(" + KEY.pattern() + ")\\s*(?:(==|!=|=)\\s*([-A-Za-z0-9_.]*))?\\s*");

    /** Parses a selector; null or blank selects everything. A bad selector is a 400 naming the field. */
    public static LabelSelector parse(String selector) {
        List<Requirement> requirements = new ArrayList<>();
        if (selector == null || selector.isBlank()) {
            return new LabelSelector(requirements);
        }
        for (String part : selector.split(",", -1)) {
            Matcher m = REQUIREMENT.matcher(part);
            boolean negated = m.matches() && !m.group(1).isEmpty();
            if (!m.matches() || (negated && m.group(3) != null)) {
                throw Problems.badRequest(
                        "labelSelector is not a valid label selector",
                        List.of(new FieldViolation(
                                "labelSelector",
                                "cannot parse '" + part.strip() + "': use key=value, key!=value, key or !key")));
            }
            String key = m.group(2);
            if (negated) {
                requirements.add(new Requirement(key, Operator.NOT_EXISTS, null));
            } else if (m.group(3) == null) {
                requirements.add(new Requirement(key, Operator.EXISTS, null));
            } else {
                Operator op = m.group(3).equals("!=") ? Operator.NOT_EQUALS : Operator.EQUALS;
                requirements.add(new Requirement(key, op, m.group(4)));
            }
        }
        return new LabelSelector(List.copyOf(requirements));
    }

    /** The selector as a JPA specification over the {@code labels} jsonb column. */
    Specification<RegisteredDevice> toSpecification() {
        return (Root<RegisteredDevice> root, CriteriaQuery<?> query, CriteriaBuilder cb) -> {
            List<Predicate> predicates = new ArrayList<>();
            for (Requirement r : requirements) {
                Expression<String> value =
                        cb.function("jsonb_extract_path_text", String.class, root.get("labels"), cb.literal(r.key()));
                predicates.add(
                        switch (r.operator()) {
                            case EQUALS -> cb.equal(value, r.value());
                            case NOT_EQUALS -> cb.or(cb.isNull(value), cb.notEqual(value, r.value()));
                            case EXISTS -> cb.isNotNull(value);
                            case NOT_EXISTS -> cb.isNull(value);
                        });
            }
            return cb.and(predicates.toArray(Predicate[]::new));
        };
    }
}
