package io.loladeft.platform;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.NumberDeserializers;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.module.SimpleModule;

/**
 * JSON as strict as a planner needs: no NaN or Infinity in any number (a literal 1e999 parses as
 * Infinity, and Infinity FLOP/s would make every plan meaningless).
 * Unknown fields, wrong types and trailing tokens are refused by the {@code spring.jackson.*}
 * settings in application.yaml.
 */
@Configuration(proxyBeanMethods = false)
class StrictJson {

    @Bean
    JsonMapperBuilderCustomizer strictNumbers() {
        SimpleModule finite = new SimpleModule("finite-numbers");
        finite.addDeserializer(Double.class, new FiniteDouble(Double.class, null));
        finite.addDeserializer(double.class, new FiniteDouble(double.class, 0.0));
        return builder -> builder.addModule(finite);
    }

    static final class FiniteDouble extends NumberDeserializers.DoubleDeserializer {

        FiniteDouble(Class<Double> type, Double nullValue) {
            super(type, nullValue);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) {
            Double value = super.deserialize(p, ctxt);
            if (value != null && !Double.isFinite(value)) {
                throw InvalidFormatException.from(p, "must be a finite number", p.getString(), Double.class);
            }
            return value;
        }
    }
}
