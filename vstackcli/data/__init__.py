"""Data tables: product families and shadow keywords."""
