package io.loladeft.platform;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The API's description; the committed contract is openapi/openapi.yaml (see OpenApiContractTest). */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "LoLa DEFT",
                        version = "v1",
                        description =
                                "Plans and runs low-latency cooperative fine-tuning of RoBERTa across edge devices: "
                                        + "which device trains which parameter blocks, and how much uplink bandwidth each gets. "
                                        + "Errors are RFC 9457 problem details."),
        servers = @Server(url = "/", description = "this service"),
        security = {@SecurityRequirement(name = "bearer"), @SecurityRequirement(name = "apiKey")})
@SecurityScheme(
        name = "bearer",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        bearerFormat = "JWT",
        description = "OAuth2 access token; roles in the 'roles' claim (reader, planner, operator)")
@SecurityScheme(
        name = "apiKey",
        type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER,
        paramName = "X-API-Key",
        description = "Static API key (see docs/security.md)")
class OpenApiConfig {

    /** Success codes, headers, error responses and media types as the service answers them. */
    @Bean
    OpenApiCustomizer apiContract() {
        return new ApiContract();
    }
}
