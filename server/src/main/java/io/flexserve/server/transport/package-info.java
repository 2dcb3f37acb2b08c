/**
 * Client connections, below the HTTP routes: how many may be open ({@code ConnectionGuard}), how
 * long one may take to send a request head and its body ({@code RequestReadTimeout}), and what
 * happens to a request's work when its client goes away ({@code ClientDisconnects}). Everything
 * here runs on the Netty event loop and never blocks.
 */
package io.flexserve.server.transport;
