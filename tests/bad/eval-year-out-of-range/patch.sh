# No file is broken: the evaluation year 1990 lies before the plan period.
:
