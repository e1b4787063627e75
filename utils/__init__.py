"""Helpers of publication_crm that are not models: input bounds, spreadsheet cells,
materialized views, the register's rows."""
