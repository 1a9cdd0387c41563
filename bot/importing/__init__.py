"""Reading invoice files: column mappings (data), row validation (pure), streaming the CSV."""
