package io.loladeft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponseException;

class ETagsTest {

    @Test
    void tagsAreQuotedVersions() {
        assertThat(ETags.of(7)).isEqualTo("\"7\"");
    }

    @Test
    void ifMatchHoldsForAbsentWildcardWeakAndListedTags() {
        assertThat(ETags.matches(null, 3)).isTrue();
        assertThat(ETags.matches("*", 3)).isTrue();
        assertThat(ETags.matches("\"3\"", 3)).isTrue();
        assertThat(ETags.matches("W/\"3\"", 3)).isTrue();
        assertThat(ETags.matches("\"1\", \"3\"", 3)).isTrue();
        assertThat(ETags.matches("\"2\"", 3)).isFalse();
        assertThat(ETags.matches("3", 3)).isFalse();
    }

    @Test
    void failedPreconditionIs412() {
        assertThatThrownBy(() -> ETags.require("\"1\"", 2, "device 'x'"))
                .isInstanceOfSatisfying(
                        ErrorResponseException.class,
                        e -> assertThat(e.getStatusCode().value()).isEqualTo(412));
    }
}
