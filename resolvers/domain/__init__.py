"""The domain model: plain Python, no AWS."""
