/**
 * The shared kernel: problem-detail errors and the few value types every module's API speaks.
 * Depends on nothing else in the application.
 */
package io.loladeft.common;
