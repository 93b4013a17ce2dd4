package io.switchboard.core.snapstart;

/** A handler whose environment can be put through the SnapStart cycle by hand (the local runner does, at start). */
public interface Checkpointable {
    /** The environment's ordered checkpoint hooks. */
    CheckpointHooks checkpointHooks();
}
