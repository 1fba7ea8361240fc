"""The Cognito user pool that signs production callers in (prod's default auth mode)."""

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.compliance import acknowledge
from infra.stage import StageConfig
from resolvers.contract.resources import ResourceNames


class OrdersUserPool(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        # Accounts are created by an administrator: this is a staff API, not a public one.
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=ResourceNames(config.stage.value).user_pool,
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
        # CLI sign in (over TLS, MFA still required); browsers use SRP.
        self.client = self.pool.add_client(
            "Client",
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
        )
        acknowledge(
            self.pool,
            "AwsSolutions-COG8",
            "Threat protection needs the Cognito Plus plan (billed per active user); the pool "
            "already requires MFA and admin-created accounts. Enable it when the cost fits.",
        )
