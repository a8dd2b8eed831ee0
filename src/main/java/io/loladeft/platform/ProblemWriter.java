package io.loladeft.platform;

import io.loladeft.common.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem details written straight to the response, for the errors raised before Spring MVC runs
 * (authentication, authorization, body size), so they look like every other error: the members
 * RFC 9457 defines, {@code type} {@code about:blank}, and no null member.
 */
final class ProblemWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemWriter() {}

    static void write(HttpServletRequest request, HttpServletResponse response, int status, String title, String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", Problems.ABOUT_BLANK.toString());
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        try {
            problem.put("instance", URI.create(request.getRequestURI()).toString());
        } catch (IllegalArgumentException unparseable) {
            // leave instance out rather than fail while reporting an error
        }
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }
}
