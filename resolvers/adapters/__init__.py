"""Implementations of the service's interfaces: DynamoDB, SQS, Powertools idempotency."""
