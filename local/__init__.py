"""The local stack: embedded AWS endpoint, provisioning from template.yaml, demo data."""
