"""Reading ticket files: safe YAML, JSON Schema checks, files -> Tickets + Diagnostics."""
