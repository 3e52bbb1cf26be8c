"""The push / pull engine between the app's invoices and one Xero organisation."""
