"""What differs between the `dev` and `prod` deployments, read from CDK context."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from aws_cdk import RemovalPolicy
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_logs as logs
from constructs import Node

from resolvers.definitions import resources, scale
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS, MIN_TTL_SECONDS, checked_ttl


class Stage(StrEnum):
    dev = "dev"
    prod = "prod"


@dataclass(frozen=True)
class Scale:
    """docs/scale.md: shards of the state index (N) and message groups per queue (G)."""

    state_shards: int
    queue_groups: int


# Each stage's default, overridden by context `stateShards` / `queueGroups`. dev keeps one
# total order per state. prod carries 10,000 orders/s entering one state, as the capacity
# model computes (`make capacity`, capacity/capacity.md; a test compares): 20,000 index
# writes/s on the busiest state's keys at 80 % of 1,000 writes/s per key, and consumers of
# 100 ms per message keeping up with 10,000 messages/s. N is fixed once the table exists:
# changing it on a deployed stage needs a new table (README, "Scale").
DEFAULT_SCALE = {
    Stage.dev: Scale(scale.DEFAULT_STATE_SHARDS, scale.DEFAULT_QUEUE_GROUPS),
    Stage.prod: Scale(state_shards=25, queue_groups=1250),
}


# A state queue keeps a message 14 days (resolvers.definitions.resources); its oldest message
# raises an alarm long before that, by default after one hour: a consumer stopped or
# missing is found on the same day (context `oldestMessageAlarmSeconds`).
DEFAULT_OLDEST_MESSAGE_ALARM_SECONDS = 3600
NO_ALARM_DESTINATION = (
    "alarms reach no one: pass -c alarmEmail=ADDRESS (a subscription to the stack's topic) "
    "or -c alarmTopicArn=ARN (an existing SNS topic that lets CloudWatch publish)"
)


@dataclass(frozen=True)
class StageConfig:
    stage: Stage
    cache_ttl_seconds: int
    alarm_email: str | None
    scale: Scale
    # Lambda SnapStart on the resolver function's published versions (context `snapStart`,
    # on in prod): a cold start resumes a snapshot taken after init (bench/report.md, 2.).
    snap_start: bool = False
    # The Region deployed to, when synthesis knows it: context `region`, else the one the CDK
    # command line resolved from the deploying profile (CDK_DEFAULT_REGION). The stack itself
    # stays environment-agnostic.
    region: str | None = None
    # Where alarms go besides the email: an existing topic instead of the stack's own.
    alarm_topic_arn: str | None = None
    oldest_message_alarm_seconds: int = DEFAULT_OLDEST_MESSAGE_ALARM_SECONDS

    @property
    def has_alarm_destination(self) -> bool:
        return bool(self.alarm_email or self.alarm_topic_arn)

    @property
    def is_prod(self) -> bool:
        return self.stage is Stage.prod

    @property
    def removal_policy(self) -> RemovalPolicy:
        """Production data outlives the stack; a dev stack cleans up after itself.

        Prod retains on update and delete but not when the stack operation that created the
        resource rolls back: CloudFormation's `RetainExceptOnCreate`, see
        https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
        The tables and queues have fixed names, so a plain `Retain` would leave them behind
        after a failed first deploy and the retry would fail on "already exists". A replaced
        resource is still kept (`UpdateReplacePolicy: Retain`)."""
        return RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if self.is_prod else RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        return logs.RetentionDays.THREE_MONTHS if self.is_prod else logs.RetentionDays.ONE_WEEK

    @property
    def field_log_level(self) -> appsync.FieldLogLevel:
        # ALL logs resolver payloads (order data): fine to debug dev, too much for prod.
        return appsync.FieldLogLevel.ERROR if self.is_prod else appsync.FieldLogLevel.ALL

    @property
    def cache_instance_type(self) -> str:
        return "MEDIUM" if self.is_prod else "SMALL"

    @classmethod
    def from_context(cls, node: Node) -> "StageConfig":
        raw_stage = node.try_get_context("stage") or Stage.dev.value
        try:
            stage = Stage(str(raw_stage))
        except ValueError:
            raise ValueError(f"context stage must be dev or prod, not {raw_stage!r}") from None
        raw_ttl = node.try_get_context("cacheTtl")
        ttl = DEFAULT_TTL_SECONDS if raw_ttl is None else int(raw_ttl)
        # A deployed stage always has the API cache, so 0 (the emulator's "off") is refused.
        if ttl < MIN_TTL_SECONDS:
            raise ValueError(f"context cacheTtl must be at least {MIN_TTL_SECONDS} s, not {ttl}")
        try:
            checked_ttl(ttl)
        except ValueError as error:
            raise ValueError(f"context cacheTtl: {error}") from None
        email = node.try_get_context("alarmEmail")
        topic_arn = node.try_get_context("alarmTopicArn")
        config = cls(
            stage=stage,
            cache_ttl_seconds=ttl,
            alarm_email=str(email) if email else None,
            scale=_scale_from_context(node, DEFAULT_SCALE[stage]),
            snap_start=_flag(node.try_get_context("snapStart"), default=stage is Stage.prod),
            alarm_topic_arn=str(topic_arn) if topic_arn else None,
            oldest_message_alarm_seconds=_oldest_message_alarm(node),
            region=_region(node),
        )
        # Production alarms that reach no one would let a message expire unseen.
        if config.is_prod and not config.has_alarm_destination:
            raise ValueError(f"stage prod: {NO_ALARM_DESTINATION}")
        return config


def _oldest_message_alarm(node: Node) -> int:
    raw = node.try_get_context("oldestMessageAlarmSeconds")
    seconds = DEFAULT_OLDEST_MESSAGE_ALARM_SECONDS if raw is None else int(raw)
    # Below the retention, or the message is gone before anyone hears of it; CloudWatch
    # reports the metric per minute at best.
    if not 60 <= seconds < resources.QUEUE_RETENTION_SECONDS:
        raise ValueError(
            f"context oldestMessageAlarmSeconds must be 60 to "
            f"{resources.QUEUE_RETENTION_SECONDS - 1} (the queues keep a message "
            f"{resources.QUEUE_RETENTION_SECONDS // 86400} days), not {seconds}"
        )
    return seconds


def _region(node: Node) -> str | None:
    raw = node.try_get_context("region") or os.environ.get("CDK_DEFAULT_REGION")
    return str(raw) if raw else None


def _flag(raw: object, *, default: bool) -> bool:
    """A boolean context value: true/false as JSON (cdk.json) or as a string (-c)."""
    if raw is None:
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text not in {"true", "false"}:
        raise ValueError(f"context snapStart must be true or false, not {raw!r}")
    return text == "true"


def _scale_from_context(node: Node, default: Scale) -> Scale:
    def count(key: str, fallback: int, check: Callable[[int], int]) -> int:
        raw = node.try_get_context(key)
        try:
            return check(fallback if raw is None else int(raw))
        except ValueError as error:
            raise ValueError(f"context {key}: {error}") from None

    return Scale(
        state_shards=count("stateShards", default.state_shards, scale.checked_state_shards),
        queue_groups=count("queueGroups", default.queue_groups, scale.checked_queue_groups),
    )
