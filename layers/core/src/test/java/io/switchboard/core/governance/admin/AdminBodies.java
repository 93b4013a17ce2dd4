package io.switchboard.core.governance.admin;

import java.util.Map;

/**
 * Test access to the admin API's body readers (package-private in {@link KeyRequests}) for the fuzz targets of
 * {@code io.switchboard.core.fuzz}: no DynamoDB is needed to reach them.
 */
public final class AdminBodies {
    private AdminBodies() {
    }

    /** The fields of a {@code POST /v1/admin/keys} body, as the API reads them (a 400 otherwise). */
    public static Map<String, Object> readCreate(byte[] body) {
        return KeyRequests.parse(body, true);
    }

    /** The fields of a {@code PATCH /v1/admin/keys/{id}} body, as the API reads them (a 400 otherwise). */
    public static Map<String, Object> readPatch(byte[] body) {
        return KeyRequests.parse(body, false);
    }

    /** {@code {rpm, tpm}} of a {@code PUT /v1/admin/tenants/{tenant}} body (a 400 otherwise). */
    public static long[] readTenantLimits(byte[] body) {
        return KeyRequests.tenantLimits(body);
    }

    /** Whether a read field's value is a JSON {@code null}: clear the field. */
    public static boolean isClear(Object value) {
        return value == KeyRequests.CLEAR;
    }
}
