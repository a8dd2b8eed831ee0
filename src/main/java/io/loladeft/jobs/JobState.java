package io.loladeft.jobs;

/** Where a job stands. QUEUED until a worker claims its first item; the last three are final. */
public enum JobState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
