package io.loladeft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loladeft.registry.LabelSelector.Operator;
import io.loladeft.registry.LabelSelector.Requirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.ErrorResponseException;

class LabelSelectorTest {

    @Test
    void parsesEveryEqualityForm() {
        assertThat(LabelSelector.parse("zone=a, tier==edge,gpu!=no, example.com/gpu ,!spot")
                        .requirements())
                .containsExactly(
                        new Requirement("zone", Operator.EQUALS, "a"),
                        new Requirement("tier", Operator.EQUALS, "edge"),
                        new Requirement("gpu", Operator.NOT_EQUALS, "no"),
                        new Requirement("example.com/gpu", Operator.EXISTS, null),
                        new Requirement("spot", Operator.NOT_EXISTS, null));
    }

    @Test
    void blankSelectsEverything() {
        assertThat(LabelSelector.parse(null).requirements()).isEmpty();
        assertThat(LabelSelector.parse("  ").requirements()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"!a=b", "a=b=c", ",", "a,,b", "a in (b)", "=b", "a=$"})
    void malformedSelectorsAre400(String selector) {
        assertThatThrownBy(() -> LabelSelector.parse(selector))
                .isInstanceOfSatisfying(
                        ErrorResponseException.class,
                        e -> assertThat(e.getStatusCode().value()).isEqualTo(400));
    }
}
