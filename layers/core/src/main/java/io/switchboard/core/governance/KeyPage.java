package io.switchboard.core.governance;

import java.util.List;

/**
 * One page of keys.
 *
 * @param keys the keys, by id
 * @param next the cursor of the next page, or null at the end
 */
public record KeyPage(List<KeyRecord> keys, String next) {
    public KeyPage {
        keys = List.copyOf(keys);
    }
}
