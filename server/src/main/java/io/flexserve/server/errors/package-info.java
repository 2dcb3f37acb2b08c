/**
 * Failures at the HTTP edge. Inside the server, failures are typed ({@link
 * io.flexserve.server.errors.ApiException} and its subclasses); one handler maps them to statuses
 * and one error-response processor gives every error, ours and the framework's (bad JSON, body too
 * large, unknown route), the same body: {@code {"error":{"message","type","code"}}}.
 */
package io.flexserve.server.errors;
