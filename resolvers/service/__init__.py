"""Use cases: what each resolver does, against small interfaces the adapters implement."""
