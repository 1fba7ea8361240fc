"""`make deploy`'s check before CloudFormation sees anything: the settings fixed when a
stage is created (`stateShards`, `queueGroups`) must be the deployed stage's.

Both sides are read the same way, from the resolver function's environment in a template
(resolvers/definitions/function.py puts both settings there): the one just synthesized, and
the one the deployed stack runs (CloudFormation GetTemplate). A stage never created, or
whose first create rolled back (nothing of it is left: tests/infra/test_retention.py),
fixes nothing yet.

    python -m infra.fixed_settings cdk.out/deploy-prod/Orders-prod.template.json \
        --stack Orders-prod [--queues-drained]
"""

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from resolvers.definitions import scale

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

# A stack in these states has no resources from a create that succeeded.
_NEVER_CREATED = frozenset({"REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "DELETE_COMPLETE"})

STATE_SHARDS_MIGRATION = (
    "Every order in the state index was written for {deployed} shard(s) (its estado_shard); "
    "with {wanted} the listings would miss orders or refuse page tokens. To change it, "
    "create a new stage (or table) with stateShards={wanted}, copy the orders into it "
    "(their estado_shard recomputed for {wanted} shards), move the traffic, then retire "
    "the old one; or keep it: -c stateShards={deployed}."
)
QUEUE_GROUPS_MIGRATION = (
    "Each state's messages are ordered within their message group, and the group of an "
    "order is its hash modulo queueGroups: with {wanted} groups the messages still queued "
    "under {deployed} groups and the new ones would no longer arrive in order, and the "
    "consumers are scaled for {deployed}. To change it, stop the writes, let the consumers "
    "drain every state queue, scale the consumers for {wanted} groups, then deploy with "
    "--queues-drained (make deploy QUEUES_DRAINED=1); or keep it: -c queueGroups={deployed}."
)


@dataclass(frozen=True)
class FixedSettings:
    state_shards: int
    queue_groups: int


class FixedSettingChanged(Exception):
    """A deploy would change a setting fixed at creation; the message says the migration."""


def settings_in(template: Mapping[str, Any]) -> FixedSettings:
    """The fixed settings in a template: the environment of the function that has them."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if scale.ENV_STATE_SHARDS in variables and scale.ENV_QUEUE_GROUPS in variables:
            return FixedSettings(
                state_shards=int(variables[scale.ENV_STATE_SHARDS]),
                queue_groups=int(variables[scale.ENV_QUEUE_GROUPS]),
            )
    raise ValueError(
        f"no function in the template carries {scale.ENV_STATE_SHARDS} and "
        f"{scale.ENV_QUEUE_GROUPS}: is it the Orders stack's?"
    )


def deployed_settings(client: "CloudFormationClient", stack: str) -> FixedSettings | None:
    """What the deployed stack fixed, or None when it has never been created."""
    try:
        (described,) = client.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    if described["StackStatus"] in _NEVER_CREATED:
        return None
    body: Any = client.get_template(StackName=stack, TemplateStage="Original")["TemplateBody"]
    return settings_in(json.loads(body) if isinstance(body, str) else body)


def check(
    deployed: FixedSettings | None, wanted: FixedSettings, stack: str, *, queues_drained: bool
) -> None:
    """Raise FixedSettingChanged when `wanted` changes what `deployed` fixed."""
    if deployed is None:
        return
    problems = []
    if wanted.state_shards != deployed.state_shards:
        problems.append(
            f"stateShards is {deployed.state_shards} on the deployed {stack} and "
            f"{wanted.state_shards} in this deploy. "
            + STATE_SHARDS_MIGRATION.format(
                deployed=deployed.state_shards, wanted=wanted.state_shards
            )
        )
    if wanted.queue_groups != deployed.queue_groups and not queues_drained:
        problems.append(
            f"queueGroups is {deployed.queue_groups} on the deployed {stack} and "
            f"{wanted.queue_groups} in this deploy. "
            + QUEUE_GROUPS_MIGRATION.format(
                deployed=deployed.queue_groups, wanted=wanted.queue_groups
            )
        )
    if problems:
        raise FixedSettingChanged("deploy refused:\n- " + "\n- ".join(problems))


def main(argv: list[str] | None = None, client: "CloudFormationClient | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.fixed_settings", description=__doc__)
    parser.add_argument("template", type=Path, help="the synthesized stack template")
    parser.add_argument("--stack", required=True, help="the deployed stack's name")
    parser.add_argument(
        "--queues-drained",
        action="store_true",
        help="every state queue is empty: queueGroups may change",
    )
    args = parser.parse_args(argv)
    wanted = settings_in(json.loads(args.template.read_text()))
    # Credentials and Region: the deploying profile's, as the CDK command line uses them.
    client = client or boto3.client("cloudformation")
    try:
        check(
            deployed_settings(client, args.stack),
            wanted,
            args.stack,
            queues_drained=args.queues_drained,
        )
    except FixedSettingChanged as refused:
        print(refused, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
