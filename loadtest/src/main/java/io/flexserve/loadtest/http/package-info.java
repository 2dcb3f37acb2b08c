/**
 * The load generator's HTTP/1.1 client: requests prepared before a run, sent without blocking over
 * a pool of keep-alive connections served by one Netty event-loop thread, answers delivered to an
 * {@link io.flexserve.loadtest.http.Exchange} (status, headers, body, or a stream's lines as they
 * arrive). Entry point: {@link io.flexserve.loadtest.http.NettyHttpClient}.
 */
package io.flexserve.loadtest.http;
