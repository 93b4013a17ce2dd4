package io.switchboard.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

/** A handler that outlives its function timeout when asked to (body "sleep"), to test the runner's timeout. */
public final class SlowHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if ("sleep".equals(event.getBody())) {
            try {
                Thread.sleep(context.getRemainingTimeInMillis() + 2000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withBody("awake").build();
    }
}
