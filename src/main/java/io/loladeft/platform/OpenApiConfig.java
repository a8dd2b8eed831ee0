package io.loladeft.platform;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.servers.Server;
import org.springframework.context.annotation.Configuration;

/** The API's description; the committed contract is openapi/openapi.yaml (see OpenApiContractTest). */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info = @Info(title = "LoLa DEFT", version = "v1",
                description = "Plans and runs low-latency cooperative fine-tuning of RoBERTa across edge devices: "
                        + "which device trains which parameter blocks, and how much uplink bandwidth each gets. "
                        + "Errors are RFC 9457 problem details."),
        servers = @Server(url = "/", description = "this service"))
class OpenApiConfig {}
