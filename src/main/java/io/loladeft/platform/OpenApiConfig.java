package io.loladeft.platform;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.servers.Server;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The API's description; the committed contract is openapi/openapi.yaml (see OpenApiContractTest). */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info = @Info(title = "LoLa DEFT", version = "v1",
                description = "Plans and runs low-latency cooperative fine-tuning of RoBERTa across edge devices: "
                        + "which device trains which parameter blocks, and how much uplink bandwidth each gets. "
                        + "Errors are RFC 9457 problem details."),
        servers = @Server(url = "/", description = "this service"),
        security = {@SecurityRequirement(name = "bearer"), @SecurityRequirement(name = "apiKey")})
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "OAuth2 access token; roles in the 'roles' claim (reader, planner, operator)")
@SecurityScheme(name = "apiKey", type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER, paramName = "X-API-Key",
        description = "Static API key (see docs/security.md)")
class OpenApiConfig {

    /** Every API operation may answer a client error as problem details; say so once, for all. */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            Schema<?> violation = new ObjectSchema()
                    .addProperty("field", new StringSchema().description("JSON path of the offending field"))
                    .addProperty("message", new StringSchema());
            Schema<?> problem = new ObjectSchema().description("RFC 9457 problem details")
                    .addProperty("type", new StringSchema())
                    .addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema())
                    .addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema())
                    .addProperty("errors", new ArraySchema().items(violation));
            openApi.getComponents().addSchemas("Problem", problem);
            ApiResponse clientError = new ApiResponse()
                    .description("Client error as problem details (400, 401, 403, 404, 409, 412, 413, 415, 422)")
                    .content(new Content().addMediaType("application/problem+json",
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
            openApi.getPaths().forEach((path, item) -> {
                if (path.startsWith("/api/")) {
                    item.readOperations().forEach(op -> op.getResponses().addApiResponse("4XX", clientError));
                }
            });
        };
    }
}
