"""The REST API under /api/ and the personal tokens that sign its requests."""
