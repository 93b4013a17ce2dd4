/** The admin API ({@code /v1/admin/*}): keys, tenants and usage, for admin keys only. */
package io.switchboard.core.governance.admin;
