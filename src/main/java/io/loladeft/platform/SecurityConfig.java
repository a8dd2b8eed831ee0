package io.loladeft.platform;

import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Who may call what. Two ways in: OAuth2 JWTs (issuer or JWK set configured, roles from a claim)
 * for production, static API keys for small deployments. Roles: reader (GET), planner (+ plans),
 * operator (+ registries and jobs). Probes and the API docs stay open; the rest of Actuator lives
 * on the management port. With {@code loladeft.auth.enabled=false} everything is open, which the
 * log shouts about (only {@code ./mvnw spring-boot:run} does that by default).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(Role.OPERATOR.name())
                .implies(Role.PLANNER.name())
                .role(Role.PLANNER.name())
                .implies(Role.READER.name())
                .build();
    }

    /** Requests the firewall refuses (encoded slashes, '//', …) answer 400 as problem details too. */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, e) ->
                ProblemWriter.write(request, response, 400, "Bad Request", "the request URL is not acceptable");
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, PlatformProperties properties, ObjectProvider<JwtDecoder> jwtDecoder)
            throws Exception {
        boolean enabled = properties.auth().enabled();
        String apiKeys = properties.auth().apiKeys();
        String rolesClaim = properties.auth().jwt().rolesClaim();
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(c -> c.disable());
        if (!enabled) {
            log.warn("=================================================================================");
            log.warn("AUTHENTICATION IS OFF (loladeft.auth.enabled=false): anyone who reaches this port");
            log.warn("can read, plan, and change the registries. Never run like this outside a laptop.");
            log.warn("=================================================================================");
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        ApiKeys keys = ApiKeys.parse(apiKeys);
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        if (keys.isEmpty() && decoder == null) {
            log.warn("Authentication is on but neither API keys (loladeft.auth.api-keys) nor a JWT issuer"
                    + " (spring.security.oauth2.resourceserver.jwt.*) is configured: every API call will get 401.");
        } else {
            log.info("Authentication is on: {} API key(s), JWT {}", keys.size(), decoder == null ? "off" : "on");
        }
        http.addFilterBefore(new ApiKeyFilter(keys), BearerTokenAuthenticationFilter.class);
        if (decoder != null) {
            JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(jwt -> roles(jwt, rolesClaim));
            http.oauth2ResourceServer(o -> o.jwt(j -> j.decoder(decoder).jwtAuthenticationConverter(converter))
                    .authenticationEntryPoint(ProblemAuthenticationHandlers::unauthorized)
                    .accessDeniedHandler(ProblemAuthenticationHandlers::forbidden));
        }
        http.exceptionHandling(e -> e.authenticationEntryPoint(ProblemAuthenticationHandlers::unauthorized)
                .accessDeniedHandler(ProblemAuthenticationHandlers::forbidden));
        return http.authorizeHttpRequests(a -> a.requestMatchers("/livez", "/readyz", "/error")
                        .permitAll()
                        .requestMatchers(EndpointRequest.toAnyEndpoint())
                        .permitAll()
                        .requestMatchers("/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui/**", "/swagger-ui.html")
                        .permitAll()
                        // SSE streams finish on an async dispatch of an already authorised request.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC)
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/**")
                        .hasRole(Role.READER.name())
                        .requestMatchers(
                                HttpMethod.POST, "/api/v1/plans", "/api/v1/plans/compare", "/api/v1/plans/simulate")
                        .hasRole(Role.PLANNER.name())
                        .requestMatchers("/api/**")
                        .hasRole(Role.OPERATOR.name())
                        .anyRequest()
                        .authenticated())
                .build();
    }

    /** Roles from the configured claim: a list or a space-separated string of reader/planner/operator. */
    static Collection<GrantedAuthority> roles(Jwt jwt, String claim) {
        Object value = jwt.getClaims().get(claim);
        List<String> names = new ArrayList<>();
        if (value instanceof Collection<?> list) {
            list.forEach(v -> names.add(String.valueOf(v)));
        } else if (value instanceof String s) {
            names.addAll(List.of(s.split("\\s+")));
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (String name : names) {
            Role role = Role.fromClaim(name);
            if (role != null) {
                authorities.add(new SimpleGrantedAuthority(role.authority()));
            }
        }
        return authorities;
    }
}
