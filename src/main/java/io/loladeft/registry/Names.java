package io.loladeft.registry;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Problems;
import java.util.List;

/** The naming rules registries share: names are the keys operators use, so they follow Kubernetes. */
final class Names {

    /** A DNS label (RFC 1123): lower-case alphanumerics and '-', at most 63, alphanumeric at both ends. */
    static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

    static final String DNS_LABEL_MESSAGE =
            "must be a DNS label: lower-case letters, digits and '-', 1 to 63 characters, starting and ending alphanumeric";

    private Names() {}

    /** A 400 naming {@code field} unless {@code name} is a DNS label. */
    static void require(String name, String field) {
        if (name == null || !name.matches(DNS_LABEL)) {
            throw Problems.badRequest(
                    "invalid name",
                    List.of(new FieldViolation(field, name == null ? "must not be null" : DNS_LABEL_MESSAGE)));
        }
    }
}
