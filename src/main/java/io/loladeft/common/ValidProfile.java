package io.loladeft.common;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

/**
 * A {@link MeasuredProfile} fit to store: both tables present, equally long, positive and
 * non-decreasing in depth. Whether its length matches a model's layer count is the planner's
 * business, since a device is registered without a model.
 */
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ValidProfile.Validator.class)
public @interface ValidProfile {

    String message() default "invalid profile";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<ValidProfile, MeasuredProfile> {

        @Override
        public boolean isValid(MeasuredProfile profile, ConstraintValidatorContext context) {
            if (profile == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean ok = checkTable("computeSeconds", profile.computeSeconds(), context);
            ok &= checkTable("memoryBytes", profile.memoryBytes(), context);
            if (ok && profile.computeSeconds().size() != profile.memoryBytes().size()) {
                ok = violation(
                        context,
                        "memoryBytes",
                        "must have as many entries as computeSeconds ("
                                + profile.computeSeconds().size() + ")");
            }
            if (profile.hostFlops() != null && !(profile.hostFlops() > 0)) {
                ok = violation(context, "hostFlops", "must be greater than 0");
            }
            return ok;
        }

        private static boolean checkTable(String field, List<Double> values, ConstraintValidatorContext context) {
            if (values == null || values.isEmpty()) {
                return violation(context, field, "must list one value per depth 1..L");
            }
            for (int i = 0; i < values.size(); i++) {
                Double v = values.get(i);
                if (v == null || !(v > 0)) {
                    return violation(context, field + "[" + i + "]", "must be a number greater than 0");
                }
                if (i > 0 && v < values.get(i - 1)) {
                    return violation(
                            context,
                            field + "[" + i + "]",
                            "must be non-decreasing in depth (depth " + (i + 1) + " is below depth " + i + ")");
                }
            }
            return true;
        }

        private static boolean violation(ConstraintValidatorContext context, String node, String message) {
            context.buildConstraintViolationWithTemplate(message)
                    .addPropertyNode(node)
                    .addConstraintViolation();
            return false;
        }
    }
}
