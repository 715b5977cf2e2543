"""Extra site outputs built from the catalogue: Atom feeds and an iCalendar of deadlines."""
