package io.switchboard.local;

import java.util.List;

/**
 * One statement of a function's inline IAM policies as the template declares it, intrinsics resolved for a local
 * deployment (values that cannot be resolved locally, such as {@code Fn::GetAtt}, are left out of the lists).
 *
 * @param effect {@code Allow} or {@code Deny}
 * @param actions the statement's actions
 * @param resources the statement's resources
 */
public record PolicyStatement(String effect, List<String> actions, List<String> resources) {
    public PolicyStatement {
        actions = List.copyOf(actions);
        resources = List.copyOf(resources);
    }
}
