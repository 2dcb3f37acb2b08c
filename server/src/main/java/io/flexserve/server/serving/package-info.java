/**
 * The engines' vocabulary for refusing or failing a request ({@code ServingException}), shared by
 * the catalog and the schedulers. It knows nothing of HTTP: the {@code errors} package maps it to
 * statuses in one place.
 */
package io.flexserve.server.serving;
