"""The Cognito user pool that signs production callers in (prod's default auth mode), and
the trigger that puts each user's email in the access token AppSync receives."""

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.compliance import acknowledge
from infra.function import ARCHITECTURE, RUNTIME
from infra.lambda_package import lambda_package
from infra.log_groups import grant_log_writes
from infra.stage import StageConfig
from resolvers import pre_token_generation
from resolvers.definitions.access import GROUPS
from resolvers.definitions.resources import ResourceNames

# Cognito waits 5 seconds for a trigger before it fails the sign-in ("Using Lambda triggers",
# https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html);
# the trigger only copies one attribute, so it has no use for more time or memory.
TRIGGER_TIMEOUT = Duration.seconds(5)
TRIGGER_MEMORY_MB = 128
# Access-token customization (the V2_0 trigger event) needs Essentials or Plus; Essentials is
# also the plan new pools get by default
# (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html).
FEATURE_PLAN = cognito.FeaturePlan.ESSENTIALS


class OrdersUserPool(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        # Accounts are created by an administrator: this is a staff API, not a public one.
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=ResourceNames(config.stage.value).user_pool,
            feature_plan=FEATURE_PLAN,
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=config.is_prod,
            removal_policy=config.removal_policy,
        )
        # A public client (browser or CLI), no secret to leak. Password auth lets the AWS
        # CLI and the board sign in (over TLS, MFA still required); Amplify uses SRP. No
        # OAuth: nobody signs in through a hosted page, so no flow, scope or callback URL is
        # left for a redirect to abuse (CDK would otherwise enable the implicit grant with
        # an example.com callback).
        self.client = self.pool.add_client(
            "Client",
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            disable_o_auth=True,
        )
        # The access policy's groups (resolvers/definitions/access.py): membership is what a
        # token's `cognito:groups` claim carries and the policy checks.
        self.groups = {
            name: cognito.CfnUserPoolGroup(
                self, f"Group-{name}", user_pool_id=self.pool.user_pool_id, group_name=name
            )
            for name in GROUPS
        }
        self.email_claim = EmailClaimTrigger(self, "EmailClaim", config=config)
        self.pool.add_trigger(
            cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
            self.email_claim.function,
            cognito.LambdaVersion.V2_0,
        )
        acknowledge(
            self.pool,
            "AwsSolutions-COG8",
            "Threat protection needs the Cognito Plus plan (billed per active user, no free "
            "tier); the pool already requires MFA and admin-created accounts. Enable it when "
            "the cost fits.",
        )


class EmailClaimTrigger(Construct):
    """The pre token generation Lambda (resolvers/pre_token_generation.py), from the same
    code asset as the resolvers, allowed to write its own logs and nothing else."""

    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Orders pre token generation trigger: its own log group only",
        )
        grant_log_writes(self.role, self.log_group)
        self.function = lambda_.Function(
            self,
            "Function",
            description="Adds the user's email to Cognito access tokens (Orders)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=pre_token_generation.HANDLER,
            code=lambda_package(RUNTIME, ARCHITECTURE),
            timeout=TRIGGER_TIMEOUT,
            memory_size=TRIGGER_MEMORY_MB,
            log_group=self.log_group,
            role=self.role,
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.13, the resolvers' runtime: the trigger runs from the same code asset.",
        )
