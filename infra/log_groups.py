"""Writing to a CloudWatch log group: the two actions a service needs, on one group only."""

from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

from infra.compliance import acknowledge, logical_id

LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def grant_log_writes(role: iam.Role, log_group: logs.LogGroup) -> None:
    """Let `role` write to `log_group` only. The group's ARN ends in `:*` (its streams), which
    cdk-nag reports as a wildcard: acknowledged here, where it arises."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(LOG_ACTIONS), resources=[log_group.log_group_arn])
    )
    acknowledge(
        role,
        f"AwsSolutions-IAM5[Resource::<{logical_id(log_group)}.Arn>:*]",
        "Log streams are created at run time inside this log group, the role's own.",
    )
