package io.switchboard.core.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 on the request path (key lookups, cache keys) without a provider lookup per call: each digest is a copy of
 * one untouched template. {@code MessageDigest.getInstance} on every request (the provider list and a reflective
 * constructor) was most of the key lookup's time in a JFR profile of the local run.
 */
public final class Sha256 {
    /** Never updated nor digested itself: it holds no state, so copying it from several threads is safe. */
    private static final MessageDigest TEMPLATE = newDigest();

    private Sha256() {
    }

    /** The SHA-256 of {@code bytes}. */
    public static byte[] digest(byte[] bytes) {
        MessageDigest d;
        try {
            d = (MessageDigest) TEMPLATE.clone();
        } catch (CloneNotSupportedException e) {
            d = newDigest();
        }
        return d.digest(bytes);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
