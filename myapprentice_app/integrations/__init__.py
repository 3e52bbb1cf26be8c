"""The only places that import third-party API SDKs."""
