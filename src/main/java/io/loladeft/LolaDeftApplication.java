package io.loladeft;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: the REST API (and, later, the worker role) of the LoLa DEFT planning service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LolaDeftApplication {

    public static void main(String[] args) {
        SpringApplication.run(LolaDeftApplication.class, args);
    }
}
