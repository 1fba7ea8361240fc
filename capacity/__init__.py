"""The capacity model (docs/scale.md): which `stateShards` (N) and `queueGroups` (G) carry a rate of
orders, from AWS's published limits, checked by a small simulation. Import
`required_settings` for the settings (the stack's prod stage takes them from here, or from
capacity/capacity.json, which `make capacity` writes); matplotlib is only needed by `report`."""

from capacity.model import TARGET_RATE, Settings, Workload, required_settings

__all__ = ["TARGET_RATE", "Settings", "Workload", "required_settings"]
