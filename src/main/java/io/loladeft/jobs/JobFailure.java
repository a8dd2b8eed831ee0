package io.loladeft.jobs;

/** A job that cannot go on, for a reason of its own (a condition reason) rather than a training error. */
class JobFailure extends RuntimeException {

    private final String reason;

    JobFailure(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
