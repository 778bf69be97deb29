"""The domain model: aggregates, their events and the rules of the computer lifecycle."""
