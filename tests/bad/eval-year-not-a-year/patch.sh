# No file is broken: --year is not a year.
:
