package io.loladeft.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code X-API-Key: <key>} (or {@code Authorization: ApiKey <key>}) against the
 * configured hashes. A request without a key passes on to the JWT filter; a wrong key is a 401.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    static final String HEADER = "X-API-Key";

    private final ApiKeys keys;

    ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        String authorization = request.getHeader("Authorization");
        if (presented == null && authorization != null && authorization.regionMatches(true, 0, "ApiKey ", 0, 7)) {
            presented = authorization.substring(7).strip();
        }
        if (presented != null) {
            var key = keys.lookup(presented);
            if (key.isEmpty()) {
                response.setHeader("WWW-Authenticate", "ApiKey");
                ProblemWriter.write(request, response, 401, "Unauthorized", "the API key is not valid");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(new KeyAuthentication(key.get()));
        }
        chain.doFilter(request, response);
    }

    static final class KeyAuthentication extends AbstractAuthenticationToken {
        private final String name;

        KeyAuthentication(ApiKeys.Key key) {
            super(key.roles().stream()
                    .map(r -> new SimpleGrantedAuthority(r.authority()))
                    .toList());
            this.name = key.name();
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return name;
        }

        @Override
        public String getName() {
            return "apikey:" + name;
        }
    }
}
