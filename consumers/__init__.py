"""The reference consumer of the Orders state queues: what a downstream team starts from.
It depends on the message contract (order-message.schema.json) only, never on the
service's code, as a consumer in another repository would."""
