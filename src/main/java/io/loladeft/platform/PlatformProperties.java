package io.loladeft.platform;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The platform's settings: who may call the API ({@code loladeft.auth.*}) and the embedded PostgreSQL of a local run
 * ({@code loladeft.embedded-db.*}). Bound at {@code loladeft} so that the keys stay the ones deployments already set;
 * the other modules' keys under it are theirs.
 *
 * @param auth       authentication
 * @param embeddedDb the database started when no {@code spring.datasource.url} is configured
 */
@ConfigurationProperties("loladeft")
record PlatformProperties(
        @DefaultValue Auth auth, @DefaultValue EmbeddedDb embeddedDb) {

    /**
     * @param enabled whether requests must authenticate; off, anyone who reaches the port may do anything
     * @param apiKeys API keys as {@code name=sha256hex:role[+role]}, separated by commas or newlines ({@link ApiKeys})
     * @param jwt     bearer tokens, when an issuer is configured
     */
    record Auth(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("") String apiKeys,
            @DefaultValue Jwt jwt) {}

    /** @param rolesClaim the token claim that lists the caller's roles */
    record Jwt(@DefaultValue("roles") String rolesClaim) {}

    /**
     * @param enabled whether to start it when no datasource is configured (read by the condition, before binding)
     * @param dataDir where its data live across restarts
     * @param port    its port; 0 picks a free one
     */
    record EmbeddedDb(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("./data/postgres") Path dataDir,
            @DefaultValue("0") int port) {}
}
