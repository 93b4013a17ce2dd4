package io.switchboard.core.resilience;

import io.switchboard.shared.config.ModelGroup;

/**
 * Where one model name's requests go: its group and the environment's state of each deployment, in the group's
 * order.
 *
 * @param model the model name the caller (or a fallback list) used
 * @param group the model group
 * @param states the deployments' states
 */
public record Plan(String model, ModelGroup group, DeploymentState[] states) {
}
