"""The only place that imports stripe-python."""
