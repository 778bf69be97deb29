"""Event-sourced inventory tracker for a solidarity computer-reuse programme."""
