package io.loladeft.common;

import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The service's client errors as RFC 9457 problem details. Every module throws these; the
 * platform's exception handler renders them, so a client mistake never becomes a 500.
 */
public final class Problems {

    private Problems() {}

    public static ErrorResponseException notFound(String what, String name) {
        return problem(HttpStatus.NOT_FOUND, "Not found", what + " '" + name + "' does not exist");
    }

    public static ErrorResponseException conflict(String detail) {
        return problem(HttpStatus.CONFLICT, "Conflict", detail);
    }

    public static ErrorResponseException conflict(String detail, List<FieldViolation> errors) {
        ErrorResponseException e = conflict(detail);
        e.getBody().setProperty("errors", errors);
        return e;
    }

    public static ErrorResponseException preconditionFailed(String detail) {
        return problem(HttpStatus.PRECONDITION_FAILED, "Precondition failed", detail);
    }

    /** A well-formed request that cannot be acted on (e.g. a fleet no plan exists for). */
    public static ErrorResponseException unprocessable(String detail, List<FieldViolation> errors) {
        ErrorResponseException e = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Unprocessable request", detail);
        e.getBody().setProperty("errors", errors);
        return e;
    }

    public static ErrorResponseException badRequest(String detail, List<FieldViolation> errors) {
        ErrorResponseException e = problem(HttpStatus.BAD_REQUEST, "Invalid request", detail);
        e.getBody().setProperty("errors", errors);
        return e;
    }

    public static ErrorResponseException problem(HttpStatus status, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(ABOUT_BLANK);
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }

    /** RFC 9457's type for a problem that needs no more than its status: said explicitly, never null. */
    public static final URI ABOUT_BLANK = URI.create("about:blank");
}
