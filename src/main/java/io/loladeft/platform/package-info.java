/**
 * The service's platform: problem details for every error, strict JSON, request limits, the
 * OpenAPI description and the embedded database for local runs. Depends on every module's public
 * types; nothing depends on it.
 */
package io.loladeft.platform;
