package io.switchboard.bench.harness;

import java.net.URI;
import java.util.Map;

/**
 * Where the driver sends a chat completion: the mock directly, or a gateway in front of it.
 *
 * @param name short name in reports ({@code direct}, {@code switchboard}, {@code portkey})
 * @param url the chat completions URL
 * @param model the {@code model} to put in the body
 * @param headers headers to send besides {@code content-type}
 * @param process the gateway's process (null for the direct call), for its RSS
 */
record Target(String name, URI url, String model, Map<String, String> headers, Process process) {
    Target {
        headers = Map.copyOf(headers);
    }
}
