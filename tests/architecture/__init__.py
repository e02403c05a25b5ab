"""The package's shape: stages without I/O, imports one way, no late imports."""
