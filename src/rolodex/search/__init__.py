"""Search across objects: the index the record service keeps, and ranked queries over it."""
