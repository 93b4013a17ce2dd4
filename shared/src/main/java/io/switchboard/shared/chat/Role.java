package io.switchboard.shared.chat;

/** The author of a chat message. */
public enum Role {
    SYSTEM("system"), DEVELOPER("developer"), USER("user"), ASSISTANT("assistant"), TOOL("tool"), FUNCTION("function");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    /** The name on the wire. */
    public String wire() {
        return wire;
    }

    /** The role with this wire name, or {@code null}. */
    public static Role fromWire(String name) {
        for (Role r : values()) {
            if (r.wire.equals(name)) {
                return r;
            }
        }
        return null;
    }
}
