"""Personal, secret iCalendar feeds: lab days, supervision sessions, school visits and goal
target dates in the calendar people already use."""
