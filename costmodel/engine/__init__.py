"""The pure engine: paths, traffic, training, usage, break-even, sweeps, scenarios. No I/O at import or in formulas."""
