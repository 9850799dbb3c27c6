//! Vietnamese legal time: lunar calendar, holidays, office hours, working-day deadlines.
