package io.switchboard.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * Invokes a handler the way the Lambda Java runtime does: JSON in, deserialized with the runtime's serializers
 * (its event serializers for the event types it knows, its Jackson factory otherwise), the handler called, the result
 * serialized back to JSON. {@link RequestStreamHandler}s get the bytes as they are; an HTTP application (a function
 * behind Lambda Web Adapter) gets the HTTP exchange.
 */
final class HandlerInvoker {
    private final Object handler;
    private final PojoSerializer<Object> input;
    private final PojoSerializer<Object> output;

    private HandlerInvoker(Object handler, PojoSerializer<Object> input, PojoSerializer<Object> output) {
        this.handler = handler;
        this.input = input;
        this.output = output;
    }

    /** Instantiates {@code spec}'s handler with {@code env} (its {@code Map} constructor when it has one). */
    static HandlerInvoker create(FunctionSpec spec, Map<String, String> env, ClassLoader loader) throws Exception {
        Class<?> type = Class.forName(spec.handlerClass(), true, loader);
        Object handler;
        try {
            handler = type.getConstructor(Map.class).newInstance(env);
        } catch (NoSuchMethodException e) {
            handler = type.getConstructor().newInstance();
        }
        if (handler instanceof RequestStreamHandler || handler instanceof HttpHandler) {
            return new HandlerInvoker(handler, null, null);
        }
        if (!(handler instanceof RequestHandler<?, ?>)) {
            throw new IllegalArgumentException(spec.handlerClass() + " is not a Lambda RequestHandler");
        }
        Type[] io = requestHandlerTypes(type);
        return new HandlerInvoker(handler, serializer(io[0], loader), serializer(io[1], loader));
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializer(Type t, ClassLoader loader) {
        Class<Object> cls = (Class<Object>) (t instanceof ParameterizedType p ? p.getRawType() : t);
        if (LambdaEventSerializers.isLambdaSupportedEvent(cls.getName())) {
            return LambdaEventSerializers.serializerFor(cls, loader);
        }
        return JacksonFactory.getInstance().getSerializer(cls);
    }

    private static Type[] requestHandlerTypes(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Type i : c.getGenericInterfaces()) {
                if (i instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    return p.getActualTypeArguments();
                }
            }
        }
        return new Type[] {Object.class, Object.class};
    }

    /** The handler instance. */
    Object handler() {
        return handler;
    }

    /** One invocation of an HTTP application (a function behind Lambda Web Adapter): the exchange itself. */
    void serve(HttpExchange exchange) throws IOException {
        ((HttpHandler) handler).handle(exchange);
    }

    /** One invocation: event JSON in, response JSON out. */
    @SuppressWarnings("unchecked")
    byte[] invoke(byte[] eventJson, Context context) throws IOException {
        if (handler instanceof RequestStreamHandler s) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.handleRequest(new ByteArrayInputStream(eventJson), out, context);
            return out.toByteArray();
        }
        Object event = input.fromJson(new ByteArrayInputStream(eventJson));
        Object result = ((RequestHandler<Object, Object>) handler).handleRequest(event, context);
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        output.toJson(result, out);
        return out.toByteArray();
    }
}
