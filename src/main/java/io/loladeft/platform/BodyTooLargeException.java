package io.loladeft.platform;

import java.io.IOException;

/** Thrown by the body-limit filter's stream when a body without Content-Length runs past the limit. */
class BodyTooLargeException extends IOException {

    BodyTooLargeException(long limit) {
        super("the request body exceeds the limit of " + limit + " bytes");
    }
}
