"""The contract every part shares: resource names and key schemas, the resolver fields, the
caching policy, the Lambda's configuration. Data and small functions only; the Lambda, the
local emulator and the CDK stack all import these, so none of it is written twice."""
