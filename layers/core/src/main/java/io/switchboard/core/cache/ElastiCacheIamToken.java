package io.switchboard.core.cache;

import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * ElastiCache IAM authentication tokens: a SigV4-presigned {@code connect} request for the cache and user, valid for
 * 15 minutes, minted with the SDK's signer each time a connection is opened (an open connection stays authenticated;
 * ElastiCache closes it after 12 hours and the next one gets a fresh token).
 */
public final class ElastiCacheIamToken {
    /** Lifetime of a token. */
    public static final Duration LIFETIME = Duration.ofMinutes(15);

    private ElastiCacheIamToken() {
    }

    /** The token that authenticates {@code user} to {@code cacheName} in {@code region}. */
    public static String mint(String cacheName, String user, String region, boolean serverless,
            AwsCredentials credentials, Clock clock) {
        SdkHttpRequest.Builder b = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol("http")
                .host(cacheName)
                .encodedPath("/")
                .putRawQueryParameter("Action", "connect")
                .putRawQueryParameter("User", user);
        if (serverless) {
            b.putRawQueryParameter("ResourceType", "ServerlessCache");
        }
        SdkHttpRequest request = b.build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(credentials)
                .request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "elasticache")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, LIFETIME)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        return signed.request().getUri().toString().replaceFirst("^http://", "");
    }
}
