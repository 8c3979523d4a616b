"""Real-browser fixtures (filled in by the infrastructure work)."""
