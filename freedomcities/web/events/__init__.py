"""Public events on the map: actions a group organises, RSVPs and attendance."""
