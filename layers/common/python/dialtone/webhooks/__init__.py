"""Webhooks: subscriptions, the call and batch events produced from the calls table's stream,
and their signed, retried deliveries."""
