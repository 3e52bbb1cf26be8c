"""xero-python and Authlib live here and nowhere else."""
