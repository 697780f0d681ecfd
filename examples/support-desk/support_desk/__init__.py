"""Support desk agents."""
