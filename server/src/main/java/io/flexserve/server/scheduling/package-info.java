/**
 * Running inference off the event loop: a bounded queue and worker threads per model. The scheduler
 * owns request state from admission to completion and reports the backlog the router needs to
 * predict queue wait.
 */
package io.flexserve.server.scheduling;
