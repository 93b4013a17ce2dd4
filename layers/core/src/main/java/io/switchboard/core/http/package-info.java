/** The gateway's own request and response records, independent of API Gateway's event classes. */
package io.switchboard.core.http;
