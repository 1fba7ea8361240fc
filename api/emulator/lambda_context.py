"""The one stand-in for the Lambda runtime's context object: the emulator, the tests and the
benchmarks all pass this. It holds the attributes the handler and Powertools read, with the
deployed function's timeout and memory (resolvers/definitions/function.py). Light on purpose
(the standard library and two contract modules): the cold start benchmark builds it too."""

import time
import uuid
from dataclasses import dataclass, field

from resolvers.definitions.function import LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS
from resolvers.definitions.resources import LOCAL_STAGE, ResourceNames

FUNCTION_NAME = ResourceNames(LOCAL_STAGE).function


@dataclass
class LambdaContext:
    function_name: str = FUNCTION_NAME
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = LAMBDA_MEMORY_MB
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name: str = "local"
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION_NAME}"
    _deadline: float = field(default_factory=lambda: time.monotonic() + LAMBDA_TIMEOUT_SECONDS)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
