"""Configuration: the typed schema (`schema`), loading with `${VAR}` substitution
(`loading`), templates, the JSON Schema for editors and the reference (`editor`, `reference`).

Nothing is imported here, so that a light module of the package (the templates' names,
the report formats) can be read without loading pydantic and the whole schema.
"""
