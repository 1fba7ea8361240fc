"""The CDK app (`npx cdk synth -c stage=dev|prod`): one Orders stack, checked by cdk-nag's
AwsSolutions pack on every synth. cdk-nag v3 is a policy-validation plugin, so any
finding not acknowledged in code fails the synth."""

import sys

from aws_cdk import App, Environment, Validations
from aws_cdk.cx_api import CloudAssembly, SynthesisMessageLevel
from cdk_nag import AwsSolutionsChecks

from infra.stack import OrdersStack, stack_name
from infra.stage import StageConfig


def build(app: App) -> OrdersStack:
    """Add the stage's stack to `app`, with the AwsSolutions checks."""
    config = StageConfig.from_context(app.node)
    stack = OrdersStack(
        app,
        stack_name(config),
        config=config,
        description=f"Orders service ({config.stage.value}): AppSync, Lambda, DynamoDB, SQS FIFO",
        # Account and region come from the deploying credentials (CDK_DEFAULT_*).
        env=Environment(account=None, region=None),
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stack


def error_messages(assembly: CloudAssembly) -> list[str]:
    """Error annotations left in the assembly (anything that should stop a deploy)."""
    return [
        f"{message.id}: {message.entry.data}"
        for stack in assembly.stacks
        for message in stack.messages
        if message.level == SynthesisMessageLevel.ERROR
    ]


def main() -> None:
    app = App()
    build(app)
    errors = error_messages(app.synth())
    if errors:
        sys.exit("synth has errors:\n" + "\n".join(errors))


if __name__ == "__main__":
    main()
