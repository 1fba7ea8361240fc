"""The AppSync API: schema, auth modes by stage, logs, X-Ray, limits, the API cache and
one APPSYNC_JS resolver per field on the Lambda data source."""

from pathlib import Path

from aws_cdk import Duration, Expiration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.compliance import acknowledge
from infra.log_groups import grant_log_writes
from infra.resolver_code import resolver_code
from infra.stage import StageConfig
from infra.stage_schema import stage_schema
from infra.users import OrdersUserPool
from resolvers.definitions.caching import cached_resolver
from resolvers.definitions.fields import RESOLVER_FIELDS, ResolverField
from resolvers.definitions.limits import query_limits
from resolvers.definitions.resources import ResourceNames

# AppSync caps an API key's lifetime at 365 days; each deploy moves the expiry forward.
API_KEY_LIFETIME = Duration.days(365)


class OrdersApi(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        schema: Path,
        function: lambda_.IFunction,
    ) -> None:
        """`function`: what AppSync invokes (the resolver function's alias)."""
        super().__init__(scope, id)
        self.users = OrdersUserPool(self, "Users", config=config) if config.is_prod else None
        self.log_role = iam.Role(
            self,
            "LogsRole",
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description="AppSync writes the API's request and field logs",
        )
        self.api = self._graphql_api(config, schema)
        self.log_group = self._logs(config)
        self.cache = self._cache(config)
        self.data_source = self.api.add_lambda_data_source("Resolvers", function)
        self.resolvers = {
            field: self._resolver(field, config.cache_ttl_seconds) for field in RESOLVER_FIELDS
        }

    def _graphql_api(self, config: StageConfig, schema: Path) -> appsync.GraphqlApi:
        """The API from the stage's schema, with its auth modes and query limits."""
        limits = query_limits(config.stage.value)
        authorization = self._authorization(config)
        return appsync.GraphqlApi(
            self,
            "Api",
            name=ResourceNames(config.stage.value).api,
            definition=appsync.Definition.from_schema(
                stage_schema(schema, config.stage.value, authorization)
            ),
            authorization_config=authorization,
            xray_enabled=True,
            query_depth_limit=limits.depth,
            resolver_count_limit=limits.resolver_count,
            # The schema is public in the repository; prod still does not advertise it.
            introspection_config=(
                appsync.IntrospectionConfig.ENABLED
                if limits.introspection
                else appsync.IntrospectionConfig.DISABLED
            ),
        )

    def _logs(self, config: StageConfig) -> logs.LogGroup:
        # AppSync logs to this fixed name. Owning the group sets its retention; the L2
        # `log_config` would add a LogRetention custom resource (a Lambda of its own) that
        # races this group, so the log settings go on the L1 resource.
        cfn_api = self.api.node.default_child
        if not isinstance(cfn_api, appsync.CfnGraphQLApi):
            raise TypeError("GraphqlApi's resource is expected to be a CfnGraphQLApi")
        cfn_api.log_config = appsync.CfnGraphQLApi.LogConfigProperty(
            cloud_watch_logs_role_arn=self.log_role.role_arn,
            field_log_level=config.field_log_level.value,
            # Verbose content is request headers (bearer tokens) and resolver context
            # (order data): useful when debugging dev, not something prod should keep.
            exclude_verbose_content=config.is_prod,
        )
        if config.is_prod:
            acknowledge(
                self.api,
                "AwsSolutions-ASC3",
                "Request-level logs are on (request and execution summaries, tracing); only "
                "verbose content (headers with tokens, resolver context) is left out in prod.",
            )
        log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/appsync/apis/{self.api.api_id}",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        grant_log_writes(self.log_role, log_group)
        return log_group

    def _cache(self, config: StageConfig) -> appsync.CfnApiCache:
        cache = appsync.CfnApiCache(
            self,
            "Cache",
            api_id=self.api.api_id,
            api_caching_behavior="PER_RESOLVER_CACHING",
            type=config.cache_instance_type,
            ttl=config.cache_ttl_seconds,
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
        )
        # CreateApiCache fails with ConcurrentModificationException while the schema is
        # still being created; CDK orders the API key after the schema for the same race
        # (aws/aws-cdk#8168, fixed by aws/aws-cdk#9737) but not the cache.
        self.api.add_schema_dependency(cache)
        return cache

    def _authorization(self, config: StageConfig) -> appsync.AuthorizationConfig:
        # IAM in both stages, for back-office callers (and other AWS services).
        iam_mode = appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM)
        if self.users is None:
            default = appsync.AuthorizationMode(
                authorization_type=appsync.AuthorizationType.API_KEY,
                api_key_config=appsync.ApiKeyConfig(
                    name=ResourceNames(config.stage.value).api,
                    description="Orders dev API key",
                    expires=Expiration.after(API_KEY_LIFETIME),
                ),
            )
        else:
            default = appsync.AuthorizationMode(
                authorization_type=appsync.AuthorizationType.USER_POOL,
                user_pool_config=appsync.UserPoolConfig(
                    user_pool=self.users.pool,
                    default_action=appsync.UserPoolDefaultAction.ALLOW,
                    # Only the stack's own app client: unset, AppSync takes a token of any
                    # client of the pool (API reference, CognitoUserPoolConfig), and the
                    # emulator accepts only the stack's client.
                    app_id_client_regex=f"^{self.users.client.user_pool_client_id}$",
                ),
            )
        return appsync.AuthorizationConfig(
            default_authorization=default, additional_authorization_modes=[iam_mode]
        )

    def _resolver(self, field: ResolverField, ttl_seconds: int) -> appsync.Resolver:
        rule = cached_resolver(field)
        caching = (
            appsync.CachingConfig(
                ttl=Duration.seconds(ttl_seconds),
                # No keys means AppSync's default key (arguments, identity, source).
                caching_keys=list(rule.caching_keys) or None,
            )
            if rule
            else None
        )
        resolver = appsync.Resolver(
            self,
            f"{field.type_name}-{field.field_name}",
            api=self.api,
            data_source=self.data_source,
            type_name=field.type_name,
            field_name=field.field_name,
            runtime=appsync.FunctionRuntime.JS_1_0_0,
            code=appsync.Code.from_inline(resolver_code(field)),
            caching_config=caching,
        )
        # A resolver's caching config is rejected until the API has its cache.
        resolver.node.add_dependency(self.cache)
        return resolver
