"""The screens and dialogs, one per file. Imported on first use to keep start-up lean."""
