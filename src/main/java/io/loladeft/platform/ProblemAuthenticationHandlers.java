package io.loladeft.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;

/** 401 and 403 as problem details, like every other error. */
final class ProblemAuthenticationHandlers {

    private ProblemAuthenticationHandlers() {}

    static void unauthorized(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer, ApiKey");
        ProblemWriter.write(
                request, response, 401, "Unauthorized", "authenticate with a bearer token or an X-API-Key header");
    }

    static void forbidden(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        ProblemWriter.write(
                request,
                response,
                403,
                "Forbidden",
                "your role does not allow " + request.getMethod() + " " + request.getRequestURI());
    }
}
