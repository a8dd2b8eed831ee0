package io.loladeft.platform;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.Problems;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.validation.FieldError;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Every error as RFC 9457 problem details. Client mistakes name each offending field in an
 * {@code errors} array of {@code {field, message}}; nothing a client sends may produce a 500 or a
 * stack trace, and a genuine server fault says only that it happened (the log has the rest).
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return render(
                        Problems.problem(HttpStatus.CONTENT_TOO_LARGE, "Request body too large", tooLarge.getMessage()),
                        request);
            }
        }
        FieldViolation violation = describe(ex.getCause());
        return render(
                Problems.badRequest("the request body could not be read: " + violation.message(), List.of(violation)),
                request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldViolation> errors = new ArrayList<>();
        for (FieldError e : ex.getBindingResult().getFieldErrors()) {
            errors.add(new FieldViolation(e.getField(), e.getDefaultMessage()));
        }
        ex.getBindingResult()
                .getGlobalErrors()
                .forEach(e -> errors.add(new FieldViolation(e.getObjectName(), e.getDefaultMessage())));
        return render(Problems.badRequest(errors.size() + " invalid field(s)", sorted(errors)), request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldViolation> errors = new ArrayList<>();
        ex.getParameterValidationResults()
                .forEach(result -> result.getResolvableErrors()
                        .forEach(e -> errors.add(new FieldViolation(
                                result.getMethodParameter().getParameterName(), e.getDefaultMessage()))));
        return render(Problems.badRequest(errors.size() + " invalid parameter(s)", sorted(errors)), request);
    }

    @ExceptionHandler(ObjectOptimisticLockingFailureException.class)
    ResponseEntity<Object> concurrentWrite(ObjectOptimisticLockingFailureException ex, WebRequest request) {
        return render(Problems.conflict("the resource was modified concurrently; read it again and retry"), request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(DataIntegrityViolationException ex, WebRequest request) {
        log.info(
                "Integrity violation answered with 409: {}",
                ex.getMostSpecificCause().getMessage());
        return render(Problems.conflict("the request conflicts with stored data"), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, WebRequest request) {
        log.error("Unexpected error serving {}", request.getDescription(false), ex);
        return render(
                Problems.problem(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "Internal error",
                        "the server failed to handle the request; it has been logged"),
                request);
    }

    /** Spring's own problems (405, 406, 415, ...) leave {@code type} null: RFC 9457 says that means about:blank. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem && problem.getType() == null) {
            problem.setType(Problems.ABOUT_BLANK);
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private ResponseEntity<Object> render(ErrorResponseException e, WebRequest request) {
        return handleExceptionInternal(e, e.getBody(), e.getHeaders(), e.getStatusCode(), request);
    }

    private static List<FieldViolation> sorted(Collection<FieldViolation> errors) {
        return errors.stream()
                .sorted(Comparator.comparing(FieldViolation::field))
                .toList();
    }

    /** Turns Jackson's reason into a field path and a sentence free of Java class names. */
    static FieldViolation describe(Throwable cause) {
        if (!(cause instanceof JacksonException jackson)) {
            return new FieldViolation("body", "a JSON body is required");
        }
        String field = path(jackson);
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return new FieldViolation(field, "unknown field '" + unknown.getPropertyName() + "'");
        }
        if (cause instanceof ValueInstantiationException vie && vie.getCause() != null) {
            return new FieldViolation(field, vie.getCause().getMessage());
        }
        if (cause instanceof InvalidFormatException invalid
                && "must be a finite number".equals(invalid.getOriginalMessage())) {
            return new FieldViolation(field, "must be a finite number");
        }
        if (cause instanceof MismatchedInputException mismatch) {
            return new FieldViolation(field, "wrong type: expected " + expected(mismatch.getTargetType()));
        }
        if (cause instanceof StreamConstraintsException) {
            return new FieldViolation(
                    field, "the JSON exceeds a parser limit (nesting depth: loladeft.limits.max-json-depth)");
        }
        if (cause instanceof StreamReadException read) {
            TokenStreamLocation at = read.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return new FieldViolation(field, "malformed JSON" + where);
        }
        return new FieldViolation(field, "unreadable value");
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another JSON type";
        }
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                names.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            return "one of " + names;
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "another JSON type";
    }
}
