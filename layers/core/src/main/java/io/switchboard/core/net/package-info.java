/**
 * The gateway's HTTP/1.1 client for providers: blocking sockets (plain or TLS) driven by the request thread, one
 * connection kept alive per destination and environment. See {@link io.switchboard.core.net.Http1Client}.
 */
package io.switchboard.core.net;
