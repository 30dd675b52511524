"""Prices and their data access: the dated catalogue, model registry and as-of lookup (reads data/)."""
