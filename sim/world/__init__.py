"""The map and the actors on it: towns and roads, routing, factions and their sides."""
