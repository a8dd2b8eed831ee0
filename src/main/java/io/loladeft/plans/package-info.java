/**
 * Plans over REST: turns a plan request (inline or registered devices and model) into the
 * planning core's problem, solves it, stores the plan as JSON in PostgreSQL, compares algorithms,
 * and draws a plan's timeline. Keeps no state between requests.
 */
package io.loladeft.plans;
