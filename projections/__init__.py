"""Read models fed by the event log (one module per projection)."""
