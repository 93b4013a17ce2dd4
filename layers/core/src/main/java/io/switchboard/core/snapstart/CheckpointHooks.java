package io.switchboard.core.snapstart;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * The checkpoint resources of one execution environment, in registration order. CRaC runs {@code beforeCheckpoint}
 * in reverse registration order and {@code afterRestore} in registration order; so clients and connections are
 * registered first (closed last, reopened first) and the primers last (they run first, while everything is still
 * usable). Each resource is also registered with {@code Core.getGlobalContext()}, which holds it only weakly — this
 * list keeps it alive. On a JVM without CRaC the global registration does nothing; {@link #beforeCheckpoint()} and
 * {@link #afterRestore()} run the same cycle by hand (the local runner does, at start).
 */
public final class CheckpointHooks {
    private final List<Resource> resources = new ArrayList<>();
    private final boolean global;

    /** Hooks that also register with the global CRaC context when {@code global}. */
    public CheckpointHooks(boolean global) {
        this.global = global;
    }

    /** Adds {@code r}; it runs before those registered earlier on checkpoint, after them on restore. */
    public synchronized void register(Resource r) {
        resources.add(Objects.requireNonNull(r, "resource"));
        if (global) {
            Core.getGlobalContext().register(r);
        }
    }

    /** A resource that closes {@code closeable} before a checkpoint (it reopens lazily on next use). */
    public static Resource closing(String name, AutoCloseable closeable) {
        return new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
                closeable.close();
            }

            @Override
            public void afterRestore(Context<? extends Resource> context) {
                // reopened lazily on first use, with fresh DNS, credentials and tokens
            }

            @Override
            public String toString() {
                return "close " + name;
            }
        };
    }

    /** Runs every {@code beforeCheckpoint}, last registered first, as CRaC would. */
    public void beforeCheckpoint() throws Exception {
        List<Resource> copy;
        synchronized (this) {
            copy = List.copyOf(resources);
        }
        for (int i = copy.size() - 1; i >= 0; i--) {
            copy.get(i).beforeCheckpoint(null);
        }
    }

    /** Runs every {@code afterRestore}, first registered first, as CRaC would. */
    public void afterRestore() throws Exception {
        List<Resource> copy;
        synchronized (this) {
            copy = List.copyOf(resources);
        }
        for (Resource r : copy) {
            r.afterRestore(null);
        }
    }

    /** The resources, in registration order (for tests and diagnosis). */
    public synchronized List<String> describe() {
        return resources.stream().map(Object::toString).toList();
    }
}
