"""Where Lambda offers SnapStart for Python, as data.

AWS's SnapStart page, "Supported Regions": "Lambda SnapStart is available in all commercial
Regions except Asia Pacific (New Zealand) and Asia Pacific (Taipei)"
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html#snapstart-supported-regions),
and the same page lists Python 3.12 and later among the runtimes it supports. So: the
commercial (`aws` partition) Regions, less ap-southeast-6 (New Zealand) and ap-east-2
(Taipei); none of China (`aws-cn`), GovCloud (`aws-us-gov`) or the European Sovereign Cloud,
which that sentence does not cover. A Region opened after this list was written is outside
it until someone adds it here: the stack then deploys without SnapStart (and says so), which
is slower to start but never fails to create the function."""

SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html#snapstart-supported-regions"

SNAPSTART_PYTHON_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)


def offers_snapstart(region: str) -> bool:
    return region in SNAPSTART_PYTHON_REGIONS
