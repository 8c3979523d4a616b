"""PostGIS fixtures (filled in by the PostGIS backend work)."""
