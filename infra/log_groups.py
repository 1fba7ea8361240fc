"""Writing to a CloudWatch log group: the two actions a service needs, on one group only."""

from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def grant_log_writes(role: iam.IRole, log_group: logs.ILogGroup) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(LOG_ACTIONS), resources=[log_group.log_group_arn])
    )
