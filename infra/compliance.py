"""cdk-nag (AwsSolutions) runs on every synth; a finding we accept is acknowledged here,
on the construct it concerns, with the rule it names and the reason it is accepted."""

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

RULE_PACK = "AwsSolutions"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Accept `rule` (e.g. `AwsSolutions-IAM5[Resource::*]`) on `construct` and its children."""
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{RULE_PACK}::{rule}", reason=reason))


def logical_id(construct: IConstruct) -> str:
    """The CloudFormation logical id of an L2 construct, as cdk-nag names it in findings."""
    resource = construct.node.default_child
    if not isinstance(resource, CfnElement):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    return Stack.of(construct).get_logical_id(resource)
