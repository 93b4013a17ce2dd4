package io.switchboard.core.governance;

import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.aws.EnvironmentClients;
import io.switchboard.core.config.Settings;
import io.switchboard.core.governance.internal.DynamoDbKeyStore;
import io.switchboard.core.governance.internal.DynamoDbUsageStore;
import io.switchboard.core.governance.internal.ValkeyRateLimiter;
import java.time.InstantSource;

/** Builds an environment's {@link Governance} from its settings; nothing is connected until first used. */
public final class GovernanceFactory {
    private GovernanceFactory() {
    }

    /**
     * The governance of an environment, or null when no keys table is configured (environment keys only, as
     * before).
     *
     * @param l2 the L2 limits and budgets are kept in, or null (none: no limits)
     */
    public static Governance create(Settings settings, EnvironmentClients clients, CounterL2 l2, Ticker ticker,
            InstantSource clock, io.switchboard.core.metrics.GatewayMetrics gatewayMetrics) {
        GovernanceSettings gs = GovernanceSettings.from(settings.env());
        if (!gs.hasKeysTable()) {
            return null;
        }
        KeyStore store = new DynamoDbKeyStore(clients.dynamoDbReader(), gs.keysTable());
        KeyDirectory keys = new KeyDirectory(new Authenticator(settings.config().apiKeys()), store,
                gs.keyCacheTtl(), gs.staleIfError(), ticker, clock);
        SpendRecorder spend = gs.usageTable() == null ? null
                : new SpendRecorder(new DynamoDbUsageStore(clients.dynamoDbReader(), gs.usageTable()), 10_000,
                        gs.spendFlushInterval(), ticker);
        GovernanceMetrics metrics = new GovernanceMetrics(gatewayMetrics);
        return new Governance(keys, l2 == null ? null : new ValkeyRateLimiter(l2), gs.failClosed(),
                PriceTable.withOverrides(gs.pricesJson()), spend, clock, ticker, metrics,
                gs.estimatedCompletionTokens());
    }
}
